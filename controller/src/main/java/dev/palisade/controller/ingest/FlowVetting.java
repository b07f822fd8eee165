package dev.palisade.controller.ingest;

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
 *       connections per second between first and last seen.
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
    IMPLAUSIBLE_COUNT("more new connections than a node makes in that time");

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
}
