package dev.palisade.kernel.nft;

import java.util.ArrayList;
import java.util.List;

/**
 * Pure: what a set's header (NFT_MSG_NEWSET) says about how to write its elements as nft's text:
 * the key's parts and their places in the key, map or not, interval or not. Only the shapes
 * Palisade's table holds are known (IPv4 and IPv6 addresses, protocols, ports, concatenations of
 * them, verdict maps, flags interval and timeout); any other shape throws, so a table this reader
 * cannot read is never taken for one it read.
 */
record NlSetShape(String name, List<Part> parts, int keyLength, boolean map, boolean interval, boolean timeout) {
  static final int FLAG_ANONYMOUS = 0x1;
  static final int FLAG_CONSTANT = 0x2;
  static final int FLAG_INTERVAL = 0x4;
  static final int FLAG_MAP = 0x8;
  static final int FLAG_TIMEOUT = 0x10;
  static final int FLAG_CONCAT = 0x80;
  /** The flags whose meaning this reader knows; constant is listed as nft lists it. */
  private static final int KNOWN = FLAG_ANONYMOUS | FLAG_CONSTANT | FLAG_INTERVAL | FLAG_MAP | FLAG_TIMEOUT | FLAG_CONCAT;
  /** The data type of a verdict map's values (NFT_DATA_VERDICT). */
  static final int DATA_VERDICT = 0xffffff00;
  /** nft packs a concatenation's type ids into one number, 6 bits each, first part highest. */
  private static final int TYPE_BITS = 6;

  /** One part of a key: its type, where it starts in the key, its length (each part starts on 4 bytes). */
  record Part(Type type, int offset) {}

  /** The key types this reader writes, with nft's type id and the length of a value. */
  enum Type {
    IPV4_ADDR(7, "ipv4_addr", 4, true), IPV6_ADDR(8, "ipv6_addr", 16, true), INET_PROTO(12, "inet_proto", 1, false),
    INET_SERVICE(13, "inet_service", 2, false);

    final int id;
    final String text;
    final int length;
    /** Whether nft writes an aligned range of this type as a prefix (its DTYPE_F_PREFIX). */
    final boolean prefix;

    Type(int id, String text, int length, boolean prefix) {
      this.id = id;
      this.text = text;
      this.length = length;
      this.prefix = prefix;
    }

    static Type of(int id, String set) {
      for (Type t : values()) {
        if (t.id == id) {
          return t;
        }
      }
      throw new IllegalStateException("set " + set + " has a key part of nft type id " + id
          + ", which this reader does not know how to write");
    }
  }

  /**
   * The shape from the header's attributes.
   *
   * @param dataType the map's value type, or 0 for a set
   * @throws IllegalStateException naming the set and what about it is not understood
   */
  static NlSetShape of(String name, int flags, int keyType, int keyLength, int dataType) {
    if ((flags & ~KNOWN) != 0) {
      throw new IllegalStateException("set " + name + " has flags 0x" + Integer.toHexString(flags & ~KNOWN)
          + " this reader does not know");
    }
    boolean map = (flags & FLAG_MAP) != 0;
    if (map && dataType != DATA_VERDICT) {
      throw new IllegalStateException("map " + name + " maps to data type 0x" + Integer.toHexString(dataType)
          + "; this reader knows verdict maps only");
    }
    List<Type> types = new ArrayList<>();
    for (int t = keyType; t != 0; t >>>= TYPE_BITS) {
      types.add(0, Type.of(t & ((1 << TYPE_BITS) - 1), name));
    }
    if (types.isEmpty()) {
      throw new IllegalStateException("set " + name + " has no key type");
    }
    List<Part> parts = new ArrayList<>();
    int at = 0;
    for (Type t : types) {
      parts.add(new Part(t, at));
      at += (t.length + 3) & ~3;
    }
    // a single part is not padded: a one-byte key is one byte long
    int want = types.size() == 1 ? types.get(0).length : at;
    if (keyLength != want) {
      throw new IllegalStateException("set " + name + " has keys of " + keyLength + " bytes, but its type "
          + typeText(parts) + " needs " + want);
    }
    return new NlSetShape(name, List.copyOf(parts), keyLength, map, (flags & FLAG_INTERVAL) != 0,
        (flags & FLAG_TIMEOUT) != 0);
  }

  boolean concat() {
    return parts.size() > 1;
  }

  /** The type as nft's listing writes it: {@code a . b . c}, and {@code key : verdict} for a map. */
  String typeText() {
    return typeText(parts) + (map ? " : verdict" : "");
  }

  /** The flags as nft's JSON listing names them, in its order. */
  static List<String> flagTexts(int flags) {
    List<String> out = new ArrayList<>();
    if ((flags & FLAG_CONSTANT) != 0) {
      out.add("constant");
    }
    if ((flags & FLAG_INTERVAL) != 0) {
      out.add("interval");
    }
    if ((flags & FLAG_TIMEOUT) != 0) {
      out.add("timeout");
    }
    return List.copyOf(out);
  }

  private static String typeText(List<Part> parts) {
    StringBuilder sb = new StringBuilder();
    for (Part p : parts) {
      sb.append(sb.length() == 0 ? "" : " . ").append(p.type().text);
    }
    return sb.toString();
  }
}
