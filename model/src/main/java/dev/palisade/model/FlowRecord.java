package dev.palisade.model;

import java.util.List;

/**
 * Evidence for one {@link FlowKey} seen by one agent in one reporting interval: how many new
 * connections, first and last seen (epoch millis), and a few example pods (ns/name) at each end.
 */
public record FlowRecord(FlowKey key, long count, long firstSeenMillis, long lastSeenMillis,
    List<String> sourcePods, List<String> destinationPods) {
  public static final int MAX_EXAMPLES = 8;

  public FlowRecord {
    if (key == null) {
      throw new IllegalArgumentException("flow record has no key");
    }
    if (count < 1) {
      throw new IllegalArgumentException("flow count must be >= 1, not " + count);
    }
    if (firstSeenMillis <= 0 || lastSeenMillis < firstSeenMillis) {
      throw new IllegalArgumentException("flow times must satisfy 0 < first <= last: " + firstSeenMillis + ", "
          + lastSeenMillis);
    }
    sourcePods = List.copyOf(sourcePods == null ? List.of() : sourcePods);
    destinationPods = List.copyOf(destinationPods == null ? List.of() : destinationPods);
    if (sourcePods.size() > MAX_EXAMPLES || destinationPods.size() > MAX_EXAMPLES) {
      throw new IllegalArgumentException("at most " + MAX_EXAMPLES + " example pods per end");
    }
  }
}
