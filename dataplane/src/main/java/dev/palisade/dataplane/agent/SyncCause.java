package dev.palisade.dataplane.agent;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Why a sync ran, the {@code cause} label of {@code palisade_agent_sync_duration_seconds}. Requests
 * coalesce, so one sync may serve several causes: it is labelled by the one that says most about its
 * cost (a repair rewrites the table, a pod start is waited for, an informer event is the common
 * case). A sync nobody asked for since the last is the runner's periodic resync. A closed set:
 * the label's cardinality is bounded.
 */
final class SyncCause {
  static final String FIRST = "first";
  static final String TAMPER = "tamper";
  static final String VERIFY = "verify";
  static final String POD_START = "pod_start";
  static final String INFORMER = "informer";
  static final String PERIODIC = "periodic";
  /** Most telling first. */
  private static final List<String> PRIORITY = List.of(TAMPER, VERIFY, POD_START, INFORMER);

  private SyncCause() {}

  /** The label of a sync that served {@code asked}. Pure. */
  static String of(Set<String> asked) {
    for (String c : PRIORITY) {
      if (asked.contains(c)) {
        return c;
      }
    }
    return PERIODIC;
  }

  /** Takes what is in {@code pending} out of it (others may add meanwhile: they stay for the next sync). */
  static Set<String> drain(Set<String> pending) {
    Set<String> out = new HashSet<>();
    for (String c : PRIORITY) {
      if (pending.remove(c)) {
        out.add(c);
      }
    }
    return out;
  }
}
