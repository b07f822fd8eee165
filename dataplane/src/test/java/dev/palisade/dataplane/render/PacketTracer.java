package dev.palisade.dataplane.render;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Evaluates a NEW packet against a {@link DesiredRuleset} as nft would, understanding exactly the
 * rule shapes the renderer emits (and failing on any other), so tests can assert verdicts, not
 * only text. Written apart from {@link ConnectionVerdict} on purpose: it reads the rendered rules
 * and sets, not NodeRules, so the two can be checked against each other.
 *
 * <p>nft semantics kept: an {@code ip} match implies IPv4 (an IPv6 packet never matches it) and
 * {@code ip6} implies IPv6; a vmap jump that returns goes on with the next rule; the end of a
 * regular chain returns; {@code log} goes on, {@code drop}/{@code accept} end the walk; the base
 * chain's policy is accept. What nft would refuse to load fails the tracer: a set type that does
 * not fit the rule, a range in a set without {@code flags interval}, overlapping interval elements.
 */
final class PacketTracer {
  enum Verdict { ACCEPT, DROP }

  record Trace(Verdict verdict, List<String> logs) {}

  private static final Pattern VMAP = Pattern.compile("(ip6?) (saddr|daddr) vmap @(\\S+)");
  private static final Pattern MATCH = Pattern.compile("(ip6?) (saddr|daddr)( \\. meta l4proto \\. th dport)? @(\\S+) (.+)");
  /** The DNS hold's set: pod . remote . proto . port (elements may carry "timeout Ns"). */
  private static final Pattern PAIR = Pattern.compile(
      "ip saddr \\. ip daddr \\. meta l4proto \\. th dport @(\\S+) (.+)");
  private static final Pattern LOG = Pattern.compile("log prefix \"([^\"]+)\" group (\\d+)( drop)?");
  private static final Pattern V6_LITERAL = Pattern.compile("[0-9a-fA-F:.]+");
  private static final String RECT_SUFFIX = " . inet_proto . inet_service";

  /** What a statement does to the walk. */
  private enum Flow { CONTINUE, RETURN, ACCEPT, DROP }

  private final DesiredRuleset rs;

  PacketTracer(DesiredRuleset rs) {
    this.rs = rs;
    rs.sets().values().forEach(PacketTracer::checkLoadable);
  }

  /** {@code src} and {@code dst} both IPv4 or both IPv6; {@code proto} as nft spells it (tcp). */
  Trace trace(String src, String dst, String proto, int port) {
    if (v6(src) != v6(dst)) throw new AssertionError("mixed families: " + src + " -> " + dst);
    List<String> logs = new ArrayList<>();
    Verdict v = run(RulesetRenderer.FORWARD_CHAIN, new Packet(src, dst, proto, port), logs);
    return new Trace(v == null ? Verdict.ACCEPT : v, logs); // base chain policy accept
  }

  private record Packet(String src, String dst, String proto, int port) {
    boolean isV6() {
      return v6(src);
    }

    String field(String saddrOrDaddr) {
      return saddrOrDaddr.equals("saddr") ? src : dst;
    }
  }

  /** Returns DROP/ACCEPT for a final verdict, null for return/fall-through. */
  private Verdict run(String chainName, Packet p, List<String> logs) {
    DesiredRuleset.Chain chain = rs.chains().get(chainName);
    if (chain == null) throw new AssertionError("jump to missing chain " + chainName);
    for (String rule : chain.rules()) {
      Matcher m;
      Flow flow = Flow.CONTINUE;
      if (rule.startsWith("ct state ")) {
        continue; // the traced packet is NEW and valid
      } else if ((m = VMAP.matcher(rule)).matches()) {
        DesiredRuleset.NamedSet map = set(m.group(3));
        checkType(rule, map, m.group(1), false);
        if (familyMatches(m.group(1), p)) {
          for (String e : map.elements()) {
            String[] kv = e.split(" : jump ");
            if (sameAddress(kv[0], p.field(m.group(2)))) {
              Verdict v = run(kv[1], p, logs);
              if (v != null) return v;
              break; // one key, one element: on with the next rule
            }
          }
        }
      } else if (rule.startsWith("jump ")) {
        Verdict v = run(rule.substring(5), p, logs);
        if (v != null) return v;
      } else if ((m = PAIR.matcher(rule)).matches()) {
        DesiredRuleset.NamedSet s = set(m.group(1));
        if (!s.type().equals("ipv4_addr . ipv4_addr" + RECT_SUFFIX)) {
          throw new AssertionError("nft would refuse '" + rule + "': set " + s.name() + " is " + s.type());
        }
        if (!p.isV6() && containsPair(s, p)) {
          flow = statement(m.group(2), logs, rule);
        }
      } else if ((m = MATCH.matcher(rule)).matches()) {
        DesiredRuleset.NamedSet s = set(m.group(4));
        boolean tuple = m.group(3) != null;
        checkType(rule, s, m.group(1), tuple);
        if (familyMatches(m.group(1), p) && contains(s, tuple, p.field(m.group(2)), p)) {
          flow = statement(m.group(5), logs, rule);
        }
      } else {
        flow = statement(rule, logs, rule);
      }
      switch (flow) {
        case CONTINUE -> { }
        case RETURN -> { return null; }
        case ACCEPT -> { return Verdict.ACCEPT; }
        case DROP -> { return Verdict.DROP; }
      }
    }
    return null;
  }

  private static Flow statement(String text, List<String> logs, String rule) {
    switch (text) {
      case "return": return Flow.RETURN;
      case "accept": return Flow.ACCEPT;
      case "drop": return Flow.DROP;
      default: break;
    }
    Matcher m = LOG.matcher(text);
    if (!m.matches()) throw new AssertionError("the tracer does not know the rule shape: " + rule);
    logs.add(m.group(1) + "@" + m.group(2));
    return m.group(3) != null ? Flow.DROP : Flow.CONTINUE;
  }

  private static boolean familyMatches(String match, Packet p) {
    return match.equals("ip6") == p.isV6();
  }

  /** nft refuses a rule whose set has another type than the match. */
  private static void checkType(String rule, DesiredRuleset.NamedSet s, String match, boolean tuple) {
    String addr = match.equals("ip6") ? "ipv6_addr" : "ipv4_addr";
    String want = s.map() ? addr + " : verdict" : tuple ? addr + RECT_SUFFIX : addr;
    if (!s.type().equals(want)) {
      throw new AssertionError("nft would refuse '" + rule + "': set " + s.name() + " is " + s.type() + ", not " + want);
    }
  }

  private static boolean containsPair(DesiredRuleset.NamedSet s, Packet p) {
    for (String e : s.elements()) {
      String[] parts = e.split(" timeout ")[0].split(" \\. ");
      if (sameAddress(parts[0], p.src()) && sameAddress(parts[1], p.dst()) && parts[2].equals(p.proto())
          && portInterval(parts[3]).contains(p.port())) {
        return true;
      }
    }
    return false;
  }

  private static boolean contains(DesiredRuleset.NamedSet s, boolean tuple, String ip, Packet p) {
    for (String e : s.elements()) {
      if (!tuple) {
        if (v6(ip) ? sameAddress(e, ip) : ipInterval(e).contains(Interval.parseIp(ip))) return true;
        continue;
      }
      String[] parts = e.split(" \\. ");
      if (ipInterval(parts[0]).contains(Interval.parseIp(ip)) && parts[1].equals(p.proto())
          && portInterval(parts[2]).contains(p.port())) {
        return true;
      }
    }
    return false;
  }

  /** What the kernel would refuse to load at all. */
  private static void checkLoadable(DesiredRuleset.NamedSet s) {
    if (s.dynamic()) {
      return; // the DNS hold's elements: "pod . remote . proto . port timeout Ns", exact only
    }
    if (s.map()) {
      List<String> keys = s.elements().stream().map(e -> e.split(" : ")[0]).toList();
      if (keys.stream().distinct().count() != keys.size()) throw new AssertionError("map " + s.name() + " has a key twice");
      return;
    }
    if (s.type().startsWith("ipv6_addr")) {
      s.elements().forEach(PacketTracer::v6Address);
      return;
    }
    boolean tuple = s.type().endsWith(RECT_SUFFIX);
    List<String[]> parsed = s.elements().stream().map(e -> tuple ? e.split(" \\. ") : new String[] {e}).toList();
    for (String[] e : parsed) {
      if (!s.interval() && (e[0].contains("/") || e[0].contains("-") || (tuple && e[2].contains("-")))) {
        throw new AssertionError("nft refuses a range in set " + s.name() + " without flags interval: " + String.join(" . ", e));
      }
    }
    if (!s.interval()) return;
    for (int i = 0; i < parsed.size(); i++) {
      for (int j = i + 1; j < parsed.size(); j++) {
        String[] a = parsed.get(i);
        String[] b = parsed.get(j);
        boolean overlap = overlaps(ipInterval(a[0]), ipInterval(b[0]))
            && (!tuple || (a[1].equals(b[1]) && overlaps(portInterval(a[2]), portInterval(b[2]))));
        if (overlap) {
          throw new AssertionError("nft refuses overlapping elements in " + s.name() + ": " + String.join(" . ", a)
              + " and " + String.join(" . ", b));
        }
      }
    }
  }

  private static boolean overlaps(Interval a, Interval b) {
    return a.from() <= b.to() && b.from() <= a.to();
  }

  private DesiredRuleset.NamedSet set(String name) {
    DesiredRuleset.NamedSet s = rs.sets().get(name);
    if (s == null) throw new AssertionError("reference to missing set " + name);
    return s;
  }

  private static boolean v6(String ip) {
    return ip.contains(":");
  }

  private static boolean sameAddress(String a, String b) {
    if (v6(a) != v6(b)) return false;
    return v6(a) ? v6Address(a).equals(v6Address(b)) : Interval.parseIp(a) == Interval.parseIp(b);
  }

  /** Java's own parser, apart from {@link Ipv6}; only ever given literals, so never a DNS lookup. */
  private static InetAddress v6Address(String text) {
    if (!V6_LITERAL.matcher(text).matches() || !v6(text)) throw new AssertionError("not an IPv6 literal: " + text);
    try {
      return InetAddress.getByName(text);
    } catch (UnknownHostException e) {
      throw new AssertionError("not an IPv6 literal: " + text, e);
    }
  }

  static Interval ipInterval(String text) {
    if (text.contains("/")) return Interval.cidr(text);
    if (text.contains("-")) {
      String[] p = text.split("-");
      return new Interval(Interval.parseIp(p[0]), Interval.parseIp(p[1]));
    }
    return Interval.ip(text);
  }

  static Interval portInterval(String text) {
    if (text.contains("-")) {
      String[] p = text.split("-");
      return Interval.ports(Integer.parseInt(p[0]), Integer.parseInt(p[1]));
    }
    return Interval.port(Integer.parseInt(text));
  }
}
