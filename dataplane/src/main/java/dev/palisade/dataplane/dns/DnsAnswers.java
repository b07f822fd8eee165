package dev.palisade.dataplane.dns;

import dev.palisade.model.NamePatterns;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Pure: an IPv4 or IPv6 packet carrying a UDP DNS response -> who asked (the packet's destination),
 * the name asked for, and the A/AAAA addresses it resolved to with their TTLs. CNAME chains are
 * followed from the question, so an address is attributed to the name the pod asked for (the
 * name policy speaks of), not to the CDN name it ends at; records off the chain are ignored (a
 * server must not attribute addresses to a name by appending unrelated records). Anything
 * malformed is refused with a reason, never thrown: the packet comes from the network.
 */
public final class DnsAnswers {
  private static final int TYPE_A = 1;
  private static final int TYPE_CNAME = 5;
  private static final int TYPE_AAAA = 28;
  private static final int CLASS_IN = 1;
  private static final int MAX_POINTER_JUMPS = 32;
  private static final int MAX_CHAIN = 16;

  private DnsAnswers() {}

  /** One resolved address of the question's name; ttl is the shortest along its CNAME chain. */
  public record Resolved(String address, long ttlSeconds) {}

  /** A parsed response: client address (IPv4 or IPv6 text), the question's name, what it resolved to. */
  public record Answer(String client, String name, List<Resolved> addresses) {
    public Answer {
      addresses = List.copyOf(addresses);
    }
  }

  /** Either an answer or why the packet was refused. */
  public record Result(Answer answer, String refusal) {
    public boolean ok() {
      return answer != null;
    }
  }

  public static Result parse(byte[] packet) {
    try {
      return new Result(read(packet), null);
    } catch (Malformed e) {
      return new Result(null, e.getMessage());
    } catch (RuntimeException e) { // a bound we did not foresee: still the packet's fault
      return new Result(null, "malformed: " + e);
    }
  }

  private static final class Malformed extends Exception {
    Malformed(String message) {
      super(message, null, false, false);
    }
  }

  private static Answer read(byte[] p) throws Malformed {
    if (p == null || p.length < 1) {
      throw new Malformed("empty packet");
    }
    int version = (p[0] & 0xff) >> 4;
    int udp;
    int end;
    String client;
    if (version == 4) {
      need(p, 20, "IPv4 header");
      int ihl = (p[0] & 0x0f) * 4;
      if (ihl < 20 || (p[9] & 0xff) != 17) {
        throw new Malformed("not a UDP packet");
      }
      if ((u16(p, 6) & 0x3fff) != 0) {
        throw new Malformed("a fragment: DNS answers are read whole");
      }
      end = Math.min(p.length, u16(p, 2));
      client = address(p, 16, 4);
      udp = ihl;
    } else if (version == 6) {
      need(p, 40, "IPv6 header");
      if ((p[6] & 0xff) != 17) {
        throw new Malformed("not UDP right after the IPv6 header");
      }
      end = Math.min(p.length, 40 + u16(p, 4));
      client = address(p, 24, 16);
      udp = 40;
    } else {
      throw new Malformed("IP version " + version);
    }
    if (end < udp + 8 + 12) {
      throw new Malformed("truncated before the DNS header");
    }
    if (u16(p, udp) != 53) {
      throw new Malformed("not from port 53");
    }
    int udpEnd = Math.min(end, udp + u16(p, udp + 4));
    return dns(p, udp + 8, udpEnd, client);
  }

  private static Answer dns(byte[] p, int dns, int end, String client) throws Malformed {
    int flags = u16(p, dns + 2);
    if ((flags & 0x8000) == 0) {
      throw new Malformed("a query, not a response");
    }
    int qd = u16(p, dns + 4);
    int an = u16(p, dns + 6);
    if (qd != 1) {
      throw new Malformed(qd + " questions (expected 1)");
    }
    int[] at = {dns + 12};
    String name = name(p, dns, end, at);
    if (at[0] + 4 > end) {
      throw new Malformed("truncated question");
    }
    at[0] += 4;
    Map<String, String> cname = new HashMap<>();
    Map<String, Long> cnameTtl = new HashMap<>();
    record Rr(String owner, String address, long ttl) {}
    List<Rr> addresses = new ArrayList<>();
    for (int i = 0; i < an; i++) {
      String owner = name(p, dns, end, at);
      if (at[0] + 10 > end) {
        throw new Malformed("truncated answer " + i);
      }
      int type = u16(p, at[0]);
      int cls = u16(p, at[0] + 2);
      long ttl = ((long) u16(p, at[0] + 4) << 16 | u16(p, at[0] + 6)) & 0x7fffffffL; // RFC 2181: top bit = 0
      int len = u16(p, at[0] + 8);
      int rdata = at[0] + 10;
      if (rdata + len > end) {
        throw new Malformed("answer " + i + " runs past the packet");
      }
      if (cls == CLASS_IN) {
        if (type == TYPE_A && len == 4) {
          addresses.add(new Rr(owner, address(p, rdata, 4), ttl));
        } else if (type == TYPE_AAAA && len == 16) {
          addresses.add(new Rr(owner, address(p, rdata, 16), ttl));
        } else if (type == TYPE_CNAME) {
          int[] c = {rdata};
          cname.put(owner, name(p, dns, rdata + len, c));
          cnameTtl.put(owner, ttl);
        } else if (type == TYPE_A || type == TYPE_AAAA) {
          throw new Malformed("answer " + i + ": address of length " + len);
        }
      }
      at[0] = rdata + len;
    }
    // the chain from the question: name -> cname -> ... with the shortest TTL so far
    Map<String, Long> chain = new HashMap<>();
    String n = name;
    long ttl = Long.MAX_VALUE;
    for (int hop = 0; n != null && hop <= MAX_CHAIN && !chain.containsKey(n); hop++) {
      chain.put(n, ttl);
      Long t = cnameTtl.get(n);
      if (t != null) {
        ttl = Math.min(ttl, t);
      }
      n = cname.get(n);
    }
    List<Resolved> out = new ArrayList<>();
    for (Rr r : addresses) {
      Long chainTtl = chain.get(r.owner());
      if (chainTtl != null) {
        out.add(new Resolved(r.address(), Math.min(chainTtl, r.ttl())));
      }
    }
    return new Answer(client, name, out);
  }

  /** A name at {@code at[0]}, following compression pointers; at[0] ends after the name as written. */
  private static String name(byte[] p, int dns, int end, int[] at) throws Malformed {
    StringBuilder sb = new StringBuilder();
    int pos = at[0];
    int jumps = 0;
    int after = -1;
    while (true) {
      if (pos >= end) {
        throw new Malformed("truncated name");
      }
      int len = p[pos] & 0xff;
      if ((len & 0xc0) == 0xc0) {
        if (pos + 1 >= end) {
          throw new Malformed("truncated compression pointer");
        }
        if (++jumps > MAX_POINTER_JUMPS) {
          throw new Malformed("compression pointer loop");
        }
        if (after < 0) {
          after = pos + 2;
        }
        int target = dns + (((len & 0x3f) << 8) | (p[pos + 1] & 0xff));
        if (target >= pos) {
          throw new Malformed("compression pointer does not point backwards");
        }
        pos = target;
        continue;
      }
      if ((len & 0xc0) != 0) {
        throw new Malformed("label type " + (len >> 6));
      }
      if (len == 0) {
        pos++;
        break;
      }
      if (pos + 1 + len > end) {
        throw new Malformed("truncated label");
      }
      if (sb.length() > 0) {
        sb.append('.');
      }
      for (int i = 0; i < len; i++) {
        sb.append((char) (p[pos + 1 + i] & 0xff));
      }
      if (sb.length() > 255) {
        throw new Malformed("name longer than 255");
      }
      pos += 1 + len;
    }
    at[0] = after >= 0 ? after : pos;
    return NamePatterns.normalize(sb.toString());
  }

  private static void need(byte[] p, int n, String what) throws Malformed {
    if (p.length < n) {
      throw new Malformed("truncated " + what);
    }
  }

  private static int u16(byte[] p, int i) throws Malformed {
    if (i + 1 >= p.length) {
      throw new Malformed("truncated at byte " + i);
    }
    return ((p[i] & 0xff) << 8) | (p[i + 1] & 0xff);
  }

  private static String address(byte[] p, int off, int len) throws Malformed {
    if (off + len > p.length) {
      throw new Malformed("truncated address");
    }
    byte[] a = java.util.Arrays.copyOfRange(p, off, off + len);
    try {
      return InetAddress.getByAddress(a).getHostAddress();
    } catch (UnknownHostException e) {
      throw new Malformed("bad address length " + len);
    }
  }
}
