package dev.palisade.kernel.nft;

import dev.palisade.kernel.nft.NftEvent.Change;
import dev.palisade.kernel.nft.NftEvent.Generation;
import dev.palisade.kernel.nft.NftEvent.Kind;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads the nftables notifications in one netlink datagram (what a socket subscribed to
 * NFNLGRP_NFTABLES receives) into {@link NftEvent}s. Pure: bytes in, events out; messages of
 * other subsystems and types that change nothing are skipped.
 *
 * <p>Layout (linux/netlink.h, linux/netfilter/nfnetlink.h, nf_tables.h): each message is a
 * 16-byte nlmsghdr in host order (len, type = subsystem &lt;&lt; 8 | message, flags, seq, pid),
 * a 4-byte nfgenmsg (family, version, res_id) and attributes (len, type, value padded to 4).
 * Names are NUL-terminated strings; the generation's numbers are big-endian.
 */
final class NftEventParser {
  private static final int NFNL_SUBSYS_NFTABLES = 10;
  private static final int NLMSG_HDRLEN = 16;
  private static final int NFGENMSG_LEN = 4;
  private static final int NLA_TYPE_MASK = 0x3fff; // without NLA_F_NESTED and NLA_F_NET_BYTEORDER

  // enum nf_tables_msg_types
  private static final int NEWTABLE = 0, DELTABLE = 2, NEWCHAIN = 3, DELCHAIN = 5, NEWRULE = 6, DELRULE = 8,
      NEWSET = 9, DELSET = 11, NEWSETELEM = 12, DELSETELEM = 14, NEWGEN = 15, NEWOBJ = 18, DELOBJ = 20,
      NEWFLOWTABLE = 22, DELFLOWTABLE = 24, DESTROYTABLE = 26, DESTROYCHAIN = 27, DESTROYRULE = 28,
      DESTROYSET = 29, DESTROYSETELEM = 30, DESTROYOBJ = 31, DESTROYFLOWTABLE = 32;
  // the table's name is attribute 1 of every object (NFTA_TABLE_NAME, NFTA_CHAIN_TABLE, ...); the object's own
  // name is 3 for a chain, 2 for a set, element list (its set), object and flowtable
  private static final int ATTR_TABLE = 1;
  private static final int NFTA_CHAIN_NAME = 3, NFTA_RULE_CHAIN = 2, NFTA_OBJECT_NAME = 2;
  private static final int NFTA_SET_ELEM_LIST_ELEMENTS = 3, NFTA_LIST_ELEM = 1;
  private static final int NFTA_GEN_ID = 1, NFTA_GEN_PROC_PID = 2, NFTA_GEN_PROC_NAME = 3;

  private static final Map<Integer, String> FAMILIES = Map.of(1, "inet", 2, "ip", 3, "arp", 5, "netdev", 7,
      "bridge", 10, "ip6");

  private NftEventParser() {}

  /**
   * The events in the first {@code length} bytes of a datagram.
   *
   * @throws IllegalArgumentException if a message or attribute runs past the data (the datagram
   *     was cut, or is not netlink)
   */
  static List<NftEvent> parse(byte[] datagram, int length) {
    if (length < 0 || length > datagram.length) {
      throw new IllegalArgumentException("datagram length " + length + " outside 0.." + datagram.length);
    }
    ByteBuffer b = ByteBuffer.wrap(datagram, 0, length).order(ByteOrder.nativeOrder());
    List<NftEvent> events = new ArrayList<>();
    int at = 0;
    while (length - at >= NLMSG_HDRLEN) {
      int len = b.getInt(at);
      int type = b.getShort(at + 4) & 0xffff;
      if (len < NLMSG_HDRLEN || len > length - at) {
        throw new IllegalArgumentException("netlink message at byte " + at + " claims " + len + " bytes, "
            + (length - at) + " left");
      }
      if (type >> 8 == NFNL_SUBSYS_NFTABLES && len >= NLMSG_HDRLEN + NFGENMSG_LEN) {
        NftEvent e = event(b, at, len, type & 0xff);
        if (e != null) {
          events.add(e);
        }
      }
      at += align(len);
    }
    return events;
  }

  private static NftEvent event(ByteBuffer b, int at, int len, int msg) {
    int family = b.get(at + NLMSG_HDRLEN) & 0xff;
    int attrs = at + NLMSG_HDRLEN + NFGENMSG_LEN;
    int end = at + len;
    if (msg == NEWGEN) {
      return new Generation(u32(b, attr(b, attrs, end, NFTA_GEN_ID)), (int) u32(b, attr(b, attrs, end,
          NFTA_GEN_PROC_PID)), string(b, attr(b, attrs, end, NFTA_GEN_PROC_NAME)));
    }
    boolean added = msg == NEWTABLE || msg == NEWCHAIN || msg == NEWRULE || msg == NEWSET || msg == NEWSETELEM
        || msg == NEWOBJ || msg == NEWFLOWTABLE;
    Kind kind = kind(msg);
    if (kind == null) {
      return null; // a GET or TRACE type: nothing changed
    }
    String familyName = familyName(family);
    String table = string(b, attr(b, attrs, end, ATTR_TABLE));
    return switch (kind) {
      case TABLE -> new Change(familyName, table, kind, added, table, 1);
      case CHAIN -> new Change(familyName, table, kind, added, string(b, attr(b, attrs, end, NFTA_CHAIN_NAME)), 1);
      case RULE -> new Change(familyName, table, kind, added, string(b, attr(b, attrs, end, NFTA_RULE_CHAIN)), 1);
      case ELEMENT -> new Change(familyName, table, kind, added, string(b, attr(b, attrs, end, NFTA_OBJECT_NAME)),
          Math.max(1, countNested(b, attr(b, attrs, end, NFTA_SET_ELEM_LIST_ELEMENTS), NFTA_LIST_ELEM)));
      default -> new Change(familyName, table, kind, added, string(b, attr(b, attrs, end, NFTA_OBJECT_NAME)), 1);
    };
  }

  /** Message type to object kind; DESTROY* (kernel 6.3+) counts as a delete. */
  private static Kind kind(int msg) {
    return switch (msg) {
      case NEWTABLE, DELTABLE, DESTROYTABLE -> Kind.TABLE;
      case NEWCHAIN, DELCHAIN, DESTROYCHAIN -> Kind.CHAIN;
      case NEWRULE, DELRULE, DESTROYRULE -> Kind.RULE;
      case NEWSET, DELSET, DESTROYSET -> Kind.SET;
      case NEWSETELEM, DELSETELEM, DESTROYSETELEM -> Kind.ELEMENT;
      case NEWOBJ, DELOBJ, DESTROYOBJ -> Kind.OBJECT;
      case NEWFLOWTABLE, DELFLOWTABLE, DESTROYFLOWTABLE -> Kind.FLOWTABLE;
      default -> null;
    };
  }

  /** The offset of attribute {@code type}'s header in [from, end), or -1. */
  private static int attr(ByteBuffer b, int from, int end, int type) {
    int at = from;
    while (end - at >= 4) {
      int len = b.getShort(at) & 0xffff;
      if (len < 4 || len > end - at) {
        throw new IllegalArgumentException("netlink attribute at byte " + at + " claims " + len + " bytes, "
            + (end - at) + " left");
      }
      if ((b.getShort(at + 2) & NLA_TYPE_MASK) == type) {
        return at;
      }
      at += align(len);
    }
    return -1;
  }

  private static int countNested(ByteBuffer b, int nest, int type) {
    if (nest < 0) {
      return 0;
    }
    int end = nest + (b.getShort(nest) & 0xffff);
    int n = 0;
    for (int at = nest + 4; end - at >= 4; at += align(b.getShort(at) & 0xffff)) {
      int len = b.getShort(at) & 0xffff;
      if (len < 4 || len > end - at) {
        throw new IllegalArgumentException("nested netlink attribute at byte " + at + " claims " + len + " bytes");
      }
      if ((b.getShort(at + 2) & NLA_TYPE_MASK) == type) {
        n++;
      }
    }
    return n;
  }

  private static String string(ByteBuffer b, int at) {
    if (at < 0) {
      return "";
    }
    int len = (b.getShort(at) & 0xffff) - 4;
    int n = 0;
    while (n < len && b.get(at + 4 + n) != 0) {
      n++;
    }
    return new String(b.array(), b.arrayOffset() + at + 4, n, StandardCharsets.UTF_8);
  }

  private static long u32(ByteBuffer b, int at) {
    if (at < 0 || (b.getShort(at) & 0xffff) < 8) {
      return 0;
    }
    return b.duplicate().order(ByteOrder.BIG_ENDIAN).getInt(at + 4) & 0xffffffffL;
  }

  private static int align(int len) {
    return (len + 3) & ~3;
  }

  /** nftables' name of a family number ({@code inet}, {@code ip}, ...). */
  static String familyName(int family) {
    return FAMILIES.getOrDefault(family, "family" + family);
  }

  /** Whether nftables knows the family name. */
  static boolean knownFamily(String family) {
    return FAMILIES.containsValue(family);
  }
}
