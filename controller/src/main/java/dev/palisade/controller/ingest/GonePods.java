package dev.palisade.controller.ingest;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the controller knew of pods that were deleted, for as long as a flow report may still name
 * them ({@link FlowVetting#MAX_AGE_MILLIS}): a Job's pod that connected and was gone before its
 * node's next report is still that node's pod of that workload. Bounded: the oldest go first.
 * Not thread-safe (the controller's loop thread).
 */
public final class GonePods {
  private record Gone(FlowVetting.PodFacts facts, long at) {}

  private final int capacity;
  private final LinkedHashMap<String, Gone> gone = new LinkedHashMap<>();

  public GonePods(int capacity) {
    this.capacity = capacity;
  }

  public void deleted(String pod, FlowVetting.PodFacts facts, long nowMillis) {
    gone.remove(pod);
    gone.put(pod, new Gone(facts, nowMillis));
    if (gone.size() > capacity) {
      Iterator<String> oldest = gone.keySet().iterator();
      oldest.next();
      oldest.remove();
    }
  }

  /** A pod created again under the same name is no longer gone. */
  public void created(String pod) {
    gone.remove(pod);
  }

  /** The facts of a pod deleted within {@link FlowVetting#MAX_AGE_MILLIS}, or null. */
  public FlowVetting.PodFacts of(String pod, long nowMillis) {
    for (Iterator<Map.Entry<String, Gone>> it = gone.entrySet().iterator(); it.hasNext(); ) {
      if (it.next().getValue().at() >= nowMillis - FlowVetting.MAX_AGE_MILLIS) {
        break; // in deletion order: the rest are younger
      }
      it.remove();
    }
    Gone g = gone.get(pod);
    return g == null ? null : g.facts();
  }

  public int size() {
    return gone.size();
  }
}
