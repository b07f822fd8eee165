package dev.palisade.controller.ingest;

import dev.palisade.model.Cidr;
import dev.palisade.model.FlowRecord;
import dev.palisade.model.FlowReport;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Which records of an agent's flow report may teach the graph. An agent's token is the key to
 * learning, and learning becomes the allow-list: a stolen or buggy agent that could report flows
 * between any two workloads, at any time, in any number, would write the policy. So a record is
 * kept only when
 *
 * <ul>
 *   <li>one of its ends names a pod of the reporting node (the agent saw it there: source for
 *       egress, destination for ingress), and every pod it names that the controller knows belongs
 *       to the identity the record claims for that end;
 *   <li>its times are near now: last seen at most {@link #MAX_SKEW_MILLIS} ahead, at most
 *       {@link #MAX_AGE_MILLIS} old (an agent keeps flows while the controller is away, not for days);
 *   <li>its count is one a node can make: at most {@link #MAX_CONNECTIONS_PER_SECOND} new
 *       connections per second between first and last seen;
 *   <li>its outside end, on a flow to the world, is {@code dns:NAME} or an IP address as written
 *       (the wire format's check is loose: {@code 999.1.1.1} must not become a graph vertex).
 * </ul>
 *
 * Records are judged one by one: one bad record is refused and counted, the rest of the node's
 * report still teaches. Pure.
 */
public final class FlowVetting {
  public static final long MAX_SKEW_MILLIS = 60_000;
  public static final long MAX_AGE_MILLIS = 60 * 60_000;
  public static final long MAX_CONNECTIONS_PER_SECOND = 50_000;

  private FlowVetting() {}

  /** What the controller knows of a pod: the node it runs on (null before it is scheduled) and its workload's identity. */
  public record PodFacts(String node, long identity) {}

  /** The controller's pods by NS/NAME; null for a pod it does not know. */
  public interface Pods {
    PodFacts of(String pod);
  }

  /** Why a record was refused; the text says it to an operator. */
  public enum Reason {
    NOT_LOCAL("no pod of the reporting node at either end"),
    WRONG_IDENTITY("a pod named at one end belongs to another identity"),
    FUTURE("last seen more than a minute ahead of the controller's clock"),
    STALE("last seen more than an hour ago"),
    IMPLAUSIBLE_COUNT("more new connections than a node makes in that time"),
    MALFORMED_OUTSIDE("an outside end that is neither dns:NAME nor an IP address");

    private final String text;

    Reason(String text) {
      this.text = text;
    }

    public String text() {
      return text;
    }

    /** As metrics and /v1/status name it. */
    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
  }

  /** The records to learn from, and how many were refused for each reason. */
  public record Verdict(List<FlowRecord> accepted, Map<Reason, Integer> refused) {
    public int refusedCount() {
      return refused.values().stream().mapToInt(Integer::intValue).sum();
    }
  }

  public static Verdict vet(FlowReport report, Pods pods, long nowMillis) {
    List<FlowRecord> accepted = new ArrayList<>(report.flows().size());
    Map<Reason, Integer> refused = new EnumMap<>(Reason.class);
    for (FlowRecord r : report.flows()) {
      Reason why = judge(r, report.node(), pods, nowMillis);
      if (why == null) {
        accepted.add(r);
      } else {
        refused.merge(why, 1, Integer::sum);
      }
    }
    return new Verdict(accepted, refused);
  }

  /** Null when the record may teach. */
  static Reason judge(FlowRecord r, String node, Pods pods, long now) {
    if (r.lastSeenMillis() > now + MAX_SKEW_MILLIS) {
      return Reason.FUTURE;
    }
    if (r.lastSeenMillis() < now - MAX_AGE_MILLIS) {
      return Reason.STALE;
    }
    long seconds = Math.max(1, (r.lastSeenMillis() - r.firstSeenMillis() + 999) / 1000);
    if (r.count() > MAX_CONNECTIONS_PER_SECOND * seconds) {
      return Reason.IMPLAUSIBLE_COUNT;
    }
    if (r.key().outside() != null && !wellFormedOutside(r.key().outside())) {
      return Reason.MALFORMED_OUTSIDE;
    }
    boolean local = false;
    for (int end = 0; end < 2; end++) {
      long claimed = end == 0 ? r.key().source() : r.key().destination();
      for (String pod : end == 0 ? r.sourcePods() : r.destinationPods()) {
        PodFacts facts = pods.of(pod);
        if (facts == null) {
          continue; // gone already, or not yet known: neither proof nor disproof
        }
        if (facts.identity() != claimed) {
          return Reason.WRONG_IDENTITY;
        }
        local |= node.equals(facts.node());
      }
    }
    return local ? null : Reason.NOT_LOCAL;
  }

  /** dns:NAME (FlowKey checked the name), a dotted-quad IPv4 address or a plain IPv6 one. */
  static boolean wellFormedOutside(String outside) {
    if (outside.startsWith("dns:")) {
      return true;
    }
    if (outside.indexOf(':') < 0) {
      try {
        Cidr.parseIp(outside, outside);
        return true;
      } catch (IllegalArgumentException e) {
        return false;
      }
    }
    // IPv6: hex groups of 1..4, at most eight, "::" at most once (no embedded IPv4, no zone)
    if (!outside.matches("[0-9a-fA-F:]+") || outside.indexOf("::") != outside.lastIndexOf("::")
        || outside.contains(":::")) {
      return false;
    }
    String[] groups = outside.split(":", -1);
    int filled = 0;
    for (String g : groups) {
      if (g.length() > 4) {
        return false;
      }
      filled += g.isEmpty() ? 0 : 1;
    }
    return outside.contains("::") ? filled <= 7 : groups.length == 8 && filled == 8;
  }
}
