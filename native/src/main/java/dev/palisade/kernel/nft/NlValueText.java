package dev.palisade.kernel.nft;

import dev.palisade.kernel.nft.NlSetShape.Part;
import dev.palisade.kernel.nft.NlSetShape.Type;
import java.util.Map;

/**
 * Pure: a key's bytes (as the kernel stores them: addresses and ports in network order) written as
 * nft's listing writes them, so that this reader and the JSON listing give the same element text:
 * {@code 10.0.0.1}, glibc's IPv6 form ({@code fd00::1}, {@code ::ffff:1.2.3.4}), protocols by
 * name, ports as numbers. A range [low, high] of an address part is a single value when both are
 * equal, a prefix when it is one ({@code 10.1.0.0/24}, {@code 0.0.0.0/0}), else {@code low-high};
 * a port range is always {@code low-high} (nft writes prefixes only for address types).
 */
final class NlValueText {
  /** The names nft takes from /etc/protocols for the protocols Palisade writes. */
  private static final Map<Integer, String> PROTOCOLS = Map.of(1, "icmp", 6, "tcp", 17, "udp", 58, "ipv6-icmp",
      132, "sctp");

  private NlValueText() {}

  /** Appends the key part {@code p} of {@code key} (from {@code at}) as one value. */
  static void value(StringBuilder out, Part p, byte[] key, int at) {
    int o = at + p.offset();
    switch (p.type()) {
      case IPV4_ADDR -> ipv4(out, key, o);
      case IPV6_ADDR -> ipv6(out, key, o);
      case INET_PROTO -> {
        String name = PROTOCOLS.get(key[o] & 0xff);
        if (name == null) {
          throw new IllegalStateException("protocol number " + (key[o] & 0xff) + " has no name this reader knows");
        }
        out.append(name);
      }
      case INET_SERVICE -> out.append((key[o] & 0xff) << 8 | (key[o + 1] & 0xff));
    }
  }

  /** Appends the range of part {@code p} from {@code low} to {@code high} (both inclusive). */
  static void range(StringBuilder out, Part p, byte[] low, int lowAt, byte[] high, int highAt) {
    Type t = p.type();
    int lo = lowAt + p.offset();
    int hi = highAt + p.offset();
    if (java.util.Arrays.equals(low, lo, lo + t.length, high, hi, hi + t.length)) {
      value(out, p, low, lowAt);
      return;
    }
    if (compare(low, lo, high, hi, t.length) > 0) {
      throw new IllegalStateException("a range of " + t.text + " ends before it starts");
    }
    if (t == Type.INET_PROTO) {
      throw new IllegalStateException("a range of protocols, which this reader does not know how to write");
    }
    int prefix = t.prefix ? prefixLength(low, lo, high, hi, t.length) : -1;
    value(out, p, low, lowAt);
    if (prefix >= 0) {
      out.append('/').append(prefix);
    } else {
      out.append('-');
      value(out, p, high, highAt);
    }
  }

  /** The prefix length if [low, high] is exactly one prefix, else -1. */
  static int prefixLength(byte[] low, int lo, byte[] high, int hi, int length) {
    int bits = length * 8;
    int common = 0;
    while (common < bits && bit(low, lo, common) == bit(high, hi, common)) {
      common++;
    }
    for (int i = common; i < bits; i++) {
      if (bit(low, lo, i) != 0 || bit(high, hi, i) != 1) {
        return -1;
      }
    }
    return common;
  }

  private static int bit(byte[] b, int at, int i) {
    return (b[at + i / 8] >> (7 - i % 8)) & 1;
  }

  /** Unsigned comparison of two values of {@code length} bytes. */
  static int compare(byte[] a, int aAt, byte[] b, int bAt, int length) {
    return java.util.Arrays.compareUnsigned(a, aAt, aAt + length, b, bAt, bAt + length);
  }

  static void ipv4(StringBuilder out, byte[] b, int o) {
    out.append(b[o] & 0xff).append('.').append(b[o + 1] & 0xff).append('.').append(b[o + 2] & 0xff).append('.')
        .append(b[o + 3] & 0xff);
  }

  /**
   * glibc's inet_ntop: the longest run of two or more zero words (the first of equal runs) as
   * {@code ::}, hex without leading zeros; the last 32 bits in dotted IPv4 when the first 96 are
   * exactly one zero run ({@code ::1.2.3.4}, not {@code ::1}) or the v4-mapped prefix ({@code ::ffff:1.2.3.4}).
   */
  static void ipv6(StringBuilder out, byte[] b, int o) {
    int[] words = new int[8];
    for (int i = 0; i < 8; i++) {
      words[i] = (b[o + 2 * i] & 0xff) << 8 | (b[o + 2 * i + 1] & 0xff);
    }
    int bestBase = -1;
    int bestLen = 0;
    int curBase = -1;
    int curLen = 0;
    for (int i = 0; i < 8; i++) {
      if (words[i] == 0) {
        if (curBase == -1) {
          curBase = i;
          curLen = 1;
        } else {
          curLen++;
        }
      } else if (curBase != -1) {
        if (bestBase == -1 || curLen > bestLen) {
          bestBase = curBase;
          bestLen = curLen;
        }
        curBase = -1;
      }
    }
    if (curBase != -1 && (bestBase == -1 || curLen > bestLen)) {
      bestBase = curBase;
      bestLen = curLen;
    }
    if (bestBase != -1 && bestLen < 2) {
      bestBase = -1;
    }
    for (int i = 0; i < 8; i++) {
      if (bestBase != -1 && i >= bestBase && i < bestBase + bestLen) {
        if (i == bestBase) {
          out.append(':');
        }
        continue;
      }
      if (i != 0) {
        out.append(':');
      }
      if (i == 6 && bestBase == 0 && (bestLen == 6 || (bestLen == 5 && words[5] == 0xffff))) {
        ipv4(out, b, o + 12);
        break;
      }
      out.append(Integer.toHexString(words[i]));
    }
    if (bestBase != -1 && bestBase + bestLen == 8) {
      out.append(':');
    }
  }
}
