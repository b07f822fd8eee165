package dev.palisade.dataplane.netpol;

import dev.palisade.dataplane.render.Disjoint;
import dev.palisade.dataplane.render.Interval;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * ipBlock as the API server reads it: a CIDR is parsed leniently (host bits are cleared, as Go's
 * net.ParseCIDR does, so {@code 10.0.0.7/24} is 10.0.0.0/24), and each except entry must be a
 * strict subset of the cidr. The dataplane is IPv4 only: an IPv6 block is checked the same way
 * but yields no range, because it can never match an IPv4 packet.
 */
final class IpBlocks {
  private static final Pattern V4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Pattern V6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");
  private static final Pattern PREFIX = Pattern.compile("\\d{1,3}");

  private IpBlocks() {}

  /** A CIDR with host bits cleared; {@code bits} is 32 or 128. */
  record Cidr(int bits, BigInteger network, int prefix) {
    boolean strictlyContains(Cidr inner) {
      int shift = bits - prefix;
      return inner.bits == bits && inner.prefix > prefix
          && inner.network.shiftRight(shift).equals(network.shiftRight(shift));
    }

    Interval v4() {
      long base = network.longValueExact();
      return new Interval(base, base + (1L << (32 - prefix)) - 1);
    }
  }

  /**
   * The block's IPv4 ranges: cidr minus except.
   *
   * @throws IllegalArgumentException naming the field ("cidr" or "except[i]") and the problem
   */
  static List<Interval> ranges(String cidrText, List<String> except) {
    Cidr cidr;
    try {
      cidr = parse(cidrText);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("cidr: " + e.getMessage());
    }
    List<Interval> holes = new ArrayList<>();
    for (int i = 0; except != null && i < except.size(); i++) {
      Cidr hole;
      try {
        hole = parse(except.get(i));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("except[" + i + "]: " + e.getMessage());
      }
      if (!cidr.strictlyContains(hole)) {
        throw new IllegalArgumentException("except[" + i + "]: '" + except.get(i)
            + "' must be a strict subset of cidr '" + cidrText + "'");
      }
      if (hole.bits == 32) {
        holes.add(hole.v4());
      }
    }
    return cidr.bits == 32 ? Disjoint.subtract(cidr.v4(), holes) : List.of();
  }

  static Cidr parse(String text) {
    if (text == null || text.isEmpty()) {
      throw new IllegalArgumentException("must not be empty");
    }
    int slash = text.indexOf('/');
    if (slash < 0 || !PREFIX.matcher(text.substring(slash + 1)).matches()) {
      throw new IllegalArgumentException("'" + text + "' is not a CIDR (address/prefix-length)");
    }
    String addr = text.substring(0, slash);
    int prefix = Integer.parseInt(text.substring(slash + 1));
    BigInteger value;
    int bits;
    if (V4.matcher(addr).matches()) {
      try {
        value = BigInteger.valueOf(Interval.parseIp(addr));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("'" + text + "' has a bad IPv4 address");
      }
      bits = 32;
    } else if (V6.matcher(addr).matches()) {
      value = new BigInteger(1, ipv6Bytes(addr, text));
      bits = 128;
    } else {
      throw new IllegalArgumentException("'" + text + "' has a bad address");
    }
    if (prefix > bits) {
      throw new IllegalArgumentException("'" + text + "' has a prefix length above " + bits);
    }
    BigInteger hostMask = BigInteger.ONE.shiftLeft(bits - prefix).subtract(BigInteger.ONE);
    return new Cidr(bits, value.andNot(hostMask), prefix);
  }

  /** The pattern admits only literal characters, so this never resolves a name. */
  private static byte[] ipv6Bytes(String addr, String text) {
    byte[] b;
    try {
      b = InetAddress.getByName(addr).getAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("'" + text + "' has a bad IPv6 address");
    }
    if (b.length == 16) {
      return b;
    }
    // Java turns ::ffff:a.b.c.d into an IPv4 address; keep it in the IPv6 space it was written in.
    byte[] mapped = new byte[16];
    mapped[10] = (byte) 0xff;
    mapped[11] = (byte) 0xff;
    System.arraycopy(b, 0, mapped, 12, 4);
    return mapped;
  }
}
