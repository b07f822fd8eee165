package dev.palisade.dataplane.apply;

import dev.palisade.dataplane.render.Interval;
import java.util.Map;

/**
 * Pure: one canonical text for a set or map element, so that what the renderer writes and what
 * the kernel lists back (libnftables JSON, read by NftJson) compare equal when they mean the same
 * element. Checked on nft 1.0.6 / kernel 6.18 (RulesetAdoptionIT): the kernel lists an aligned
 * address range as a CIDR ({@code 10.2.0.0-10.2.0.255} comes back as {@code 10.2.0.0/24}), ports
 * as numbers, concatenations as {@code a . b . c}, range parts inside concatenations as
 * {@code a-b}, and verdict map entries as {@code key : jump chain}. Canonical form, part by part
 * of the set's type: an IPv4 part is a single address, a CIDR when aligned, else {@code a-b}; a
 * port part is a number or {@code a-b} ({@code 80-80} is {@code 80}); a protocol part is its name
 * ({@code 6} is {@code tcp}); anything else, and any part that does not parse, keeps its text
 * with white space collapsed, so an element nobody expected shows up as a difference instead of
 * an exception.
 */
final class ElementText {
  private static final Map<String, String> PROTOCOLS = Map.of("1", "icmp", "6", "tcp", "17", "udp", "58",
      "ipv6-icmp", "132", "sctp");

  private ElementText() {}

  /**
   * The canonical text of {@code element} in a set of {@code type} ({@code a . b} for
   * concatenations; {@code key : value} for a map, with {@code map} true).
   */
  static String canonical(String type, boolean map, String element) {
    if (map) {
      String[] kv = type.split(" : ", 2);
      int sep = element.indexOf(" : ");
      if (kv.length < 2 || sep < 0) {
        return collapse(element);
      }
      return key(kv[0], element.substring(0, sep)) + " : " + collapse(element.substring(sep + 3));
    }
    return key(type, element);
  }

  private static String key(String type, String key) {
    String[] types = type.split(" \\. ");
    String[] parts = key.split(" \\. ");
    if (types.length != parts.length) {
      return collapse(key);
    }
    if (parts.length == 1) {
      return part(types[0].strip(), parts[0].strip());
    }
    StringBuilder sb = new StringBuilder(key.length());
    for (int i = 0; i < parts.length; i++) {
      if (i > 0) {
        sb.append(" . ");
      }
      sb.append(part(types[i].strip(), parts[i].strip()));
    }
    return sb.toString();
  }

  private static String part(String type, String text) {
    try {
      switch (type) {
        case "ipv4_addr":
          return address(text).ipText();
        case "inet_service":
          long[] r = numbers(text);
          return r[0] == r[1] ? Long.toString(r[0]) : r[0] + "-" + r[1];
        case "inet_proto":
          return PROTOCOLS.getOrDefault(text, text.toLowerCase(java.util.Locale.ROOT));
        default:
          return collapse(text);
      }
    } catch (IllegalArgumentException e) {
      return collapse(text);
    }
  }

  /** An IPv4 part: {@code a}, {@code a/len} (host bits are cleared, as the kernel stores it) or {@code a-b}. */
  static Interval address(String text) {
    int slash = text.indexOf('/');
    if (slash >= 0) {
      long base = Interval.parseIp(text.substring(0, slash));
      int len = Integer.parseInt(text.substring(slash + 1));
      if (len < 0 || len > 32) {
        throw new IllegalArgumentException("prefix length " + len);
      }
      long size = 1L << (32 - len);
      base &= ~(size - 1) & Interval.MAX_IP;
      return new Interval(base, base + size - 1);
    }
    int dash = text.indexOf('-');
    if (dash >= 0) {
      return new Interval(Interval.parseIp(text.substring(0, dash)), Interval.parseIp(text.substring(dash + 1)));
    }
    return Interval.ip(text);
  }

  private static long[] numbers(String text) {
    int dash = text.indexOf('-');
    long from = Long.parseLong(dash < 0 ? text : text.substring(0, dash));
    long to = dash < 0 ? from : Long.parseLong(text.substring(dash + 1));
    if (from < 0 || to < from) {
      throw new IllegalArgumentException("range " + text);
    }
    return new long[] {from, to};
  }

  /**
   * The range each part of a canonical element covers, for overlap checks: {@code [from, to]} per
   * part, or null for a part that is not an address or a number (compared by text instead).
   */
  static long[][] ranges(String type, String canonical) {
    String[] types = type.split(" \\. ");
    String[] parts = canonical.split(" \\. ");
    long[][] out = new long[parts.length][];
    for (int i = 0; i < parts.length; i++) {
      String t = i < types.length ? types[i].strip() : "";
      try {
        if (t.equals("ipv4_addr")) {
          Interval iv = address(parts[i]);
          out[i] = new long[] {iv.from(), iv.to()};
        } else if (t.equals("inet_service")) {
          out[i] = numbers(parts[i]);
        }
      } catch (IllegalArgumentException e) {
        out[i] = null;
      }
    }
    return out;
  }

  private static String collapse(String s) {
    return s.strip().replaceAll("\\s+", " ");
  }
}
