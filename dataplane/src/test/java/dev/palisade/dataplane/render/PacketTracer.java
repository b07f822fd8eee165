package dev.palisade.dataplane.render;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Evaluates a NEW packet against a {@link DesiredRuleset}, understanding exactly the rule shapes
 * the renderer emits (and failing on any other), so tests can assert verdicts, not only text.
 */
final class PacketTracer {
  enum Verdict { ACCEPT, DROP }

  record Trace(Verdict verdict, List<String> logs) {}

  private static final Pattern VMAP = Pattern.compile("ip (saddr|daddr) vmap @(\\S+)");
  private static final Pattern ANY = Pattern.compile("ip (saddr|daddr) @(\\S+) return");
  private static final Pattern RECT = Pattern.compile("ip (saddr|daddr) \\. meta l4proto \\. th dport @(\\S+) return");
  private static final Pattern ANY_ACCEPT = Pattern.compile("ip (saddr|daddr) @(\\S+) accept");
  private static final Pattern RECT_ACCEPT = Pattern.compile("ip (saddr|daddr) \\. meta l4proto \\. th dport @(\\S+) accept");
  private static final Pattern LOG = Pattern.compile("log prefix \"([^\"]+)\" group (\\d+)( drop)?");

  private final DesiredRuleset rs;

  PacketTracer(DesiredRuleset rs) {
    this.rs = rs;
  }

  Trace trace(String src, String dst, String proto, int port) {
    List<String> logs = new ArrayList<>();
    Verdict v = run(RulesetRenderer.FORWARD_CHAIN, src, dst, proto, port, logs);
    return new Trace(v == null ? Verdict.ACCEPT : v, logs); // base chain policy accept
  }

  /** Returns DROP/ACCEPT for a final verdict, null for return/fall-through. */
  private Verdict run(String chainName, String src, String dst, String proto, int port, List<String> logs) {
    DesiredRuleset.Chain chain = rs.chains().get(chainName);
    if (chain == null) throw new AssertionError("jump to missing chain " + chainName);
    for (String rule : chain.rules()) {
      Matcher m;
      if (rule.startsWith("ct state ")) {
        continue; // the traced packet is NEW and valid
      } else if ((m = VMAP.matcher(rule)).matches()) {
        String ip = m.group(1).equals("saddr") ? src : dst;
        for (String e : set(m.group(2)).elements()) {
          String[] kv = e.split(" : jump ");
          if (kv[0].equals(ip)) {
            Verdict v = run(kv[1], src, dst, proto, port, logs);
            if (v != null) return v;
          }
        }
      } else if (rule.startsWith("jump ")) {
        Verdict v = run(rule.substring(5), src, dst, proto, port, logs);
        if (v != null) return v;
      } else if ((m = ANY.matcher(rule)).matches()) {
        long ip = Interval.parseIp(m.group(1).equals("saddr") ? src : dst);
        for (String e : set(m.group(2)).elements()) {
          if (ipInterval(e).contains(ip)) return null;
        }
      } else if ((m = RECT.matcher(rule)).matches()) {
        long ip = Interval.parseIp(m.group(1).equals("saddr") ? src : dst);
        for (String e : set(m.group(2)).elements()) {
          String[] parts = e.split(" \\. ");
          if (ipInterval(parts[0]).contains(ip) && parts[1].equals(proto) && portInterval(parts[2]).contains(port)) {
            return null;
          }
        }
      } else if ((m = ANY_ACCEPT.matcher(rule)).matches()) {
        long ip = Interval.parseIp(m.group(1).equals("saddr") ? src : dst);
        for (String e : set(m.group(2)).elements()) {
          if (ipInterval(e).contains(ip)) return Verdict.ACCEPT;
        }
      } else if ((m = RECT_ACCEPT.matcher(rule)).matches()) {
        long ip = Interval.parseIp(m.group(1).equals("saddr") ? src : dst);
        for (String e : set(m.group(2)).elements()) {
          String[] parts = e.split(" \\. ");
          if (ipInterval(parts[0]).contains(ip) && parts[1].equals(proto) && portInterval(parts[2]).contains(port)) {
            return Verdict.ACCEPT;
          }
        }
      } else if ((m = LOG.matcher(rule)).matches()) {
        logs.add(m.group(1) + "@" + m.group(2));
        if (m.group(3) != null) return Verdict.DROP;
      } else {
        throw new AssertionError("the tracer does not know the rule shape: " + rule);
      }
    }
    return null;
  }

  private DesiredRuleset.NamedSet set(String name) {
    DesiredRuleset.NamedSet s = rs.sets().get(name);
    if (s == null) throw new AssertionError("reference to missing set " + name);
    return s;
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
