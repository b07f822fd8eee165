package dev.palisade.dataplane.render;

/**
 * An inclusive range of unsigned numbers: IPv4 addresses (as 0..2^32-1) or ports (0..65535).
 * The renderer works on these so that CIDRs, ipBlock excepts and endPort ranges all become the
 * same thing: intervals that nftables interval sets hold.
 */
public record Interval(long from, long to) implements Comparable<Interval> {
  public static final long MAX_IP = 0xFFFF_FFFFL;
  public static final Interval ALL_IPS = new Interval(0, MAX_IP);
  public static final Interval ALL_PORTS = new Interval(0, 65535);

  public Interval {
    if (from < 0 || to < from || to > MAX_IP) {
      throw new IllegalArgumentException("bad interval " + from + ".." + to);
    }
  }

  public static Interval ip(String dotted) {
    long v = parseIp(dotted);
    return new Interval(v, v);
  }

  /** A CIDR such as 10.244.0.0/16; host bits must be zero, as Kubernetes validation requires. */
  public static Interval cidr(String cidr) {
    int slash = cidr.indexOf('/');
    if (slash < 0) {
      throw new IllegalArgumentException("bad CIDR '" + cidr + "': missing /prefix");
    }
    long base = parseIp(cidr.substring(0, slash));
    int len;
    try {
      len = Integer.parseInt(cidr.substring(slash + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("bad CIDR '" + cidr + "': prefix length is not a number");
    }
    if (len < 0 || len > 32) {
      throw new IllegalArgumentException("bad CIDR '" + cidr + "': prefix length must be 0..32");
    }
    long size = 1L << (32 - len);
    if ((base & (size - 1)) != 0) {
      throw new IllegalArgumentException("bad CIDR '" + cidr + "': host bits are set");
    }
    return new Interval(base, base + size - 1);
  }

  public static Interval ports(int from, int to) {
    if (from < 0 || to > 65535 || to < from) {
      throw new IllegalArgumentException("bad port range " + from + "-" + to + ": must be 0..65535, start <= end");
    }
    return new Interval(from, to);
  }

  public static Interval port(int port) {
    return ports(port, port);
  }

  public boolean contains(long v) {
    return v >= from && v <= to;
  }

  public boolean single() {
    return from == to;
  }

  /** nft text for an address interval: a single address, a CIDR when aligned, else a range. */
  public String ipText() {
    if (single()) {
      return ipString(from);
    }
    long size = to - from + 1;
    if (Long.bitCount(size) == 1 && (from & (size - 1)) == 0) {
      return ipString(from) + "/" + (32 - Long.numberOfTrailingZeros(size));
    }
    return ipString(from) + "-" + ipString(to);
  }

  public String portText() {
    return single() ? Long.toString(from) : from + "-" + to;
  }

  public static String ipString(long v) {
    return ((v >>> 24) & 255) + "." + ((v >>> 16) & 255) + "." + ((v >>> 8) & 255) + "." + (v & 255);
  }

  /**
   * Dotted-quad IPv4 (four decimal fields of 1-3 digits, each 0..255) to its 32-bit value. One pass
   * without regular expressions: the agent parses every pod's address on every sync.
   */
  public static long parseIp(String dotted) {
    if (Ipv6.isV6(dotted)) {
      // the rendered rules are IPv4 only; IPv6 pod addresses belong in NodeRules.closedV6
      throw new IllegalArgumentException("bad IPv4 address '" + dotted + "': an IPv6 address where IPv4 is required");
    }
    long v = 0;
    int fields = 0;
    int i = 0;
    int n = dotted.length();
    while (i <= n) {
      int start = i;
      int field = 0;
      while (i < n && dotted.charAt(i) >= '0' && dotted.charAt(i) <= '9') {
        field = field * 10 + (dotted.charAt(i) - '0');
        i++;
      }
      int digits = i - start;
      if (digits < 1 || digits > 3 || field > 255 || ++fields > 4) {
        throw new IllegalArgumentException("bad IPv4 address '" + dotted + "'");
      }
      v = (v << 8) | field;
      if (i == n) {
        break;
      }
      if (dotted.charAt(i) != '.') {
        throw new IllegalArgumentException("bad IPv4 address '" + dotted + "'");
      }
      i++;
    }
    if (fields != 4) {
      throw new IllegalArgumentException("bad IPv4 address '" + dotted + "'");
    }
    return v;
  }

  @Override
  public int compareTo(Interval o) {
    return from != o.from ? Long.compare(from, o.from) : Long.compare(to, o.to);
  }
}
