package dev.palisade.model.workload;

import dev.palisade.model.Mode;
import dev.palisade.model.WorkloadRef;
import dev.palisade.model.crd.SegmentationMode;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * Pure: SegmentationMode resources and {@value #ANNOTATION} annotations -> each workload's
 * effective mode, the nearest setting winning: the workload's (a SegmentationMode naming it, else
 * the annotation on its root owner), then its namespace's (a SegmentationMode without workload,
 * else the annotation on the Namespace), then the controller's default. Annotations let GitOps
 * carry the mode with the manifests it already owns.
 *
 * <p>A mode that does not parse (a typo such as {@code enforcing}) fails closed: it counts as
 * {@link Mode#ENFORCE} at its level and is reported. Ignoring it would fall back to the next level,
 * usually the default {@code learn}, so a typo meant to lock a namespace down would open it.
 */
public final class ModeResolver {
  /** The annotation on a Namespace or a root owner (Deployment, StatefulSet, ...) naming its mode. */
  public static final String ANNOTATION = "palisade.dev/mode";
  private final Map<String, Mode> namespaces = new HashMap<>();
  private final Map<String, Mode> workloads = new HashMap<>();
  private final Mode defaultMode;

  public ModeResolver(Collection<SegmentationMode> resources, Mode defaultMode, java.util.function.Consumer<String> problems) {
    this(resources, Map.of(), Map.of(), defaultMode, problems);
  }

  /**
   * @param namespaceAnnotations namespace -> its {@value #ANNOTATION} value
   * @param workloadAnnotations NS/KIND/NAME of a root owner -> its {@value #ANNOTATION} value
   */
  public ModeResolver(Collection<SegmentationMode> resources, Map<String, String> namespaceAnnotations,
      Map<String, String> workloadAnnotations, Mode defaultMode, java.util.function.Consumer<String> problems) {
    this.defaultMode = defaultMode;
    // annotations first: a SegmentationMode at the same level overrides them below
    annotations(namespaceAnnotations, namespaces, "Namespace ", problems);
    annotations(workloadAnnotations, workloads, "", problems);
    // two SegmentationModes for one target (kubectl beside the API, a copy under another name):
    // neither is ignored, the stricter holds, whatever order the informer lists them in
    java.util.Set<String> namespacesSet = new java.util.HashSet<>();
    java.util.Set<String> workloadsSet = new java.util.HashSet<>();
    for (SegmentationMode r : resources) {
      String ns = r.getMetadata().getNamespace();
      String where = "SegmentationMode " + ns + "/" + r.getMetadata().getName();
      if (r.getSpec() == null) {
        problems.accept(where + ": no spec");
        continue;
      }
      Mode mode = parseOrEnforce(r.getSpec().mode, where + ": ", problems);
      String w = r.getSpec().workload;
      if (w == null || w.isBlank()) {
        set(namespaces, namespacesSet, ns, mode, where, problems);
      } else {
        try {
          WorkloadRef ref = WorkloadRef.parse(ns + "/" + w);
          set(workloads, workloadsSet, ref.toString(), mode, where, problems);
        } catch (IllegalArgumentException e) {
          problems.accept(where + ": workload must be KIND/NAME: " + e.getMessage());
        }
      }
    }
  }

  private static void set(Map<String, Mode> into, java.util.Set<String> setByResource, String target, Mode mode,
      String where, java.util.function.Consumer<String> problems) {
    if (setByResource.add(target)) {
      into.put(target, mode);
      return;
    }
    Mode other = into.get(target);
    problems.accept(where + ": another SegmentationMode sets " + target + " too (" + other.text() + " and "
        + mode.text() + "); the stricter holds until one is removed");
    if (mode.compareTo(other) > 0) {
      into.put(target, mode);
    }
  }

  /** The object's {@value #ANNOTATION} value, or null. */
  public static String annotationOf(io.fabric8.kubernetes.api.model.HasMetadata o) {
    Map<String, String> a = o.getMetadata().getAnnotations();
    return a == null ? null : a.get(ANNOTATION);
  }

  private static void annotations(Map<String, String> values, Map<String, Mode> into, String what,
      java.util.function.Consumer<String> problems) {
    values.forEach((where, text) ->
        into.put(where, parseOrEnforce(text, what + where + ": annotation " + ANNOTATION + ": ", problems)));
  }

  /** The mode {@code text} names, or {@link Mode#ENFORCE} (reported) when it names none. */
  private static Mode parseOrEnforce(String text, String where, java.util.function.Consumer<String> problems) {
    try {
      return Mode.parse(text);
    } catch (IllegalArgumentException e) {
      problems.accept(where + e.getMessage() + "; enforcing until it is fixed");
      return Mode.ENFORCE;
    }
  }

  /** True when a setting of the workload itself decides its mode (a SegmentationMode naming it, or its annotation). */
  public boolean hasOwnSetting(WorkloadRef w) {
    return workloads.containsKey(w.toString());
  }

  public Mode modeOf(WorkloadRef w) {
    Mode m = workloads.get(w.toString());
    if (m != null) {
      return m;
    }
    return namespaces.getOrDefault(w.namespace(), defaultMode);
  }
}
