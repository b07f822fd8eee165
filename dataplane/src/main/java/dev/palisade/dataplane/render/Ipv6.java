package dev.palisade.dataplane.render;

/**
 * IPv6 address literals, read by hand rather than with {@link java.net.InetAddress}: that class
 * sends whatever is not a literal to a DNS resolver (a sync must never wait on one, nor tell one
 * about pod data) and turns IPv4-mapped literals into IPv4 addresses. The canonical text is RFC
 * 5952 (lower case, no leading zeros, the first longest run of two or more zero groups as "::"),
 * which is what nft prints back through inet_ntop, so rendered elements equal the kernel's.
 */
public final class Ipv6 {
  private Ipv6() {}

  /** True if the text can only be meant as IPv6 (an IPv4 address has no colon). */
  public static boolean isV6(String text) {
    return text.indexOf(':') >= 0;
  }

  /** Any IPv6 address (as conntrack reports them, loopback included) in canonical text. */
  public static String canonical(String text) {
    return format(parse(text));
  }

  /**
   * A pod's IPv6 address in canonical text. Refuses ::/96 (unspecified, loopback,
   * IPv4-compatible) and ::ffff:0:0/96 (IPv4-mapped): no pod has one, and inet_ntop would print
   * them with a dotted tail that no longer equals the rendered element.
   */
  public static String podAddress(String text) {
    int[] g = parse(text);
    if (g[0] == 0 && g[1] == 0 && g[2] == 0 && g[3] == 0 && g[4] == 0 && (g[5] == 0 || g[5] == 0xffff)) {
      throw new IllegalArgumentException("not a pod's IPv6 address '" + text
          + "': unspecified, loopback, IPv4-compatible or IPv4-mapped");
    }
    return format(g);
  }

  /** The eight 16-bit groups; a dotted IPv4 tail counts as the last two. */
  static int[] parse(String text) {
    if (text.isEmpty() || text.length() > 45 || !isV6(text)) {
      throw bad(text, "not an IPv6 address");
    }
    String body = text;
    int lastColon = text.lastIndexOf(':');
    if (text.indexOf('.') >= 0) {
      long v4;
      try {
        v4 = Interval.parseIp(text.substring(lastColon + 1));
      } catch (IllegalArgumentException e) {
        throw bad(text, "bad dotted IPv4 tail");
      }
      body = text.substring(0, lastColon + 1) + Long.toHexString(v4 >>> 16) + ":" + Long.toHexString(v4 & 0xffff);
    }
    int gap = body.indexOf("::");
    if (gap >= 0 && body.indexOf("::", gap + 1) >= 0) {
      throw bad(text, "more than one '::'");
    }
    int[] head = fields(text, gap < 0 ? body : body.substring(0, gap));
    int[] tail = gap < 0 ? new int[0] : fields(text, body.substring(gap + 2));
    if (gap < 0 ? head.length != 8 : head.length + tail.length > 7) {
      throw bad(text, "wrong number of groups");
    }
    int[] out = new int[8];
    System.arraycopy(head, 0, out, 0, head.length);
    System.arraycopy(tail, 0, out, 8 - tail.length, tail.length);
    return out;
  }

  private static int[] fields(String text, String part) {
    if (part.isEmpty()) {
      return new int[0];
    }
    String[] f = part.split(":", -1);
    int[] out = new int[f.length];
    for (int i = 0; i < f.length; i++) {
      if (f[i].isEmpty() || f[i].length() > 4) {
        throw bad(text, "a group must have 1 to 4 hex digits");
      }
      int v = 0;
      for (int k = 0; k < f[i].length(); k++) {
        char c = f[i].charAt(k);
        // ASCII only: Character.digit would also take other scripts' digits
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0) {
          throw bad(text, "'" + c + "' is not a hex digit");
        }
        v = v * 16 + d;
      }
      out[i] = v;
    }
    return out;
  }

  static String format(int[] g) {
    int bestAt = -1;
    int bestLen = 1;
    for (int i = 0; i < 8; ) {
      int j = i;
      while (j < 8 && g[j] == 0) {
        j++;
      }
      if (j - i > bestLen) {
        bestAt = i;
        bestLen = j - i;
      }
      i = j == i ? i + 1 : j;
    }
    StringBuilder sb = new StringBuilder(39);
    for (int i = 0; i < 8; i++) {
      if (i == bestAt) {
        sb.append("::");
        i += bestLen - 1;
        continue;
      }
      if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
        sb.append(':');
      }
      sb.append(Integer.toHexString(g[i]));
    }
    return sb.toString();
  }

  private static IllegalArgumentException bad(String text, String why) {
    return new IllegalArgumentException("bad IPv6 address '" + text + "': " + why);
  }
}
