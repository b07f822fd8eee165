package dev.palisade.model;

/** An IPv4 CIDR, normalised (host bits cleared); parse errors name the text. */
public record Cidr(int address, int prefix) implements Comparable<Cidr> {
  public Cidr {
    if (prefix < 0 || prefix > 32) {
      throw new IllegalArgumentException("prefix length must be 0..32, not " + prefix);
    }
    address = prefix == 0 ? 0 : address & (int) (0xffffffffL << (32 - prefix));
  }

  public static Cidr parse(String text) {
    if (text == null) {
      throw new IllegalArgumentException("CIDR is missing");
    }
    String[] p = text.strip().split("/", -1);
    if (p.length > 2) {
      throw new IllegalArgumentException("CIDR '" + text + "' has more than one '/'");
    }
    int prefix;
    try {
      prefix = p.length == 2 ? Integer.parseInt(p[1]) : 32;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("CIDR '" + text + "' has a bad prefix length");
    }
    if (prefix < 0 || prefix > 32) {
      throw new IllegalArgumentException("CIDR '" + text + "': prefix length must be 0..32");
    }
    return new Cidr(parseIp(p[0], text), prefix);
  }

  /** Parses a dotted-quad IPv4 address (no leading zeros, as Kubernetes validates). */
  public static int parseIp(String ip, String context) {
    String[] o = ip.split("\\.", -1);
    if (o.length != 4) {
      throw new IllegalArgumentException("'" + context + "' is not an IPv4 address");
    }
    int v = 0;
    for (String s : o) {
      if (s.isEmpty() || s.length() > 3 || !s.chars().allMatch(Character::isDigit) || (s.length() > 1 && s.charAt(0) == '0')) {
        throw new IllegalArgumentException("'" + context + "' is not an IPv4 address");
      }
      int n = Integer.parseInt(s);
      if (n > 255) {
        throw new IllegalArgumentException("'" + context + "' is not an IPv4 address (octet " + n + ")");
      }
      v = (v << 8) | n;
    }
    return v;
  }

  public static String ipText(int ip) {
    return ((ip >>> 24) & 255) + "." + ((ip >>> 16) & 255) + "." + ((ip >>> 8) & 255) + "." + (ip & 255);
  }

  public boolean contains(int ip) {
    return prefix == 0 || (ip & (int) (0xffffffffL << (32 - prefix))) == address;
  }

  @Override
  public String toString() {
    return ipText(address) + "/" + prefix;
  }

  @Override
  public int compareTo(Cidr o) {
    int c = Integer.compareUnsigned(address, o.address);
    return c != 0 ? c : Integer.compare(prefix, o.prefix);
  }
}
