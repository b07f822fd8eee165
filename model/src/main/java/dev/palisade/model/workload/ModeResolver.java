package dev.palisade.model.workload;

import dev.palisade.model.Mode;
import dev.palisade.model.WorkloadRef;
import dev.palisade.model.crd.SegmentationMode;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * Pure: SegmentationMode resources -> each workload's effective mode, the nearest setting winning
 * (workload, then namespace, then the controller's default). A resource with a bad mode is
 * ignored and reported, so a typo never silently opens or closes a namespace.
 */
public final class ModeResolver {
  private final Map<String, Mode> namespaces = new HashMap<>();
  private final Map<String, Mode> workloads = new HashMap<>();
  private final Mode defaultMode;

  public ModeResolver(Collection<SegmentationMode> resources, Mode defaultMode, java.util.function.Consumer<String> problems) {
    this.defaultMode = defaultMode;
    for (SegmentationMode r : resources) {
      String ns = r.getMetadata().getNamespace();
      String where = "SegmentationMode " + ns + "/" + r.getMetadata().getName();
      if (r.getSpec() == null) {
        problems.accept(where + ": no spec");
        continue;
      }
      Mode mode;
      try {
        mode = Mode.parse(r.getSpec().mode);
      } catch (IllegalArgumentException e) {
        problems.accept(where + ": " + e.getMessage());
        continue;
      }
      String w = r.getSpec().workload;
      if (w == null || w.isBlank()) {
        namespaces.put(ns, mode);
      } else {
        try {
          WorkloadRef ref = WorkloadRef.parse(ns + "/" + w);
          workloads.put(ref.toString(), mode);
        } catch (IllegalArgumentException e) {
          problems.accept(where + ": workload must be KIND/NAME: " + e.getMessage());
        }
      }
    }
  }

  public Mode modeOf(WorkloadRef w) {
    Mode m = workloads.get(w.toString());
    if (m != null) {
      return m;
    }
    return namespaces.getOrDefault(w.namespace(), defaultMode);
  }
}
