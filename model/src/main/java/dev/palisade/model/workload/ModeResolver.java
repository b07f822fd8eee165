package dev.palisade.model.workload;

import dev.palisade.model.Mode;
import dev.palisade.model.ObjectProblem;
import dev.palisade.model.WorkloadRef;
import dev.palisade.model.crd.SegmentationMode;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

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
 * Problems name their object (a SegmentationMode, a Namespace, a root owner), so that a caller
 * with I/O can put a Warning Event on it.
 */
public final class ModeResolver {
  /** The annotation on a Namespace or a root owner (Deployment, StatefulSet, ...) naming its mode. */
  public static final String ANNOTATION = "palisade.dev/mode";
  private final Map<String, Mode> namespaces = new HashMap<>();
  private final Map<String, Mode> workloads = new HashMap<>();
  private final Mode defaultMode;

  public ModeResolver(Collection<SegmentationMode> resources, Mode defaultMode, Consumer<ObjectProblem> problems) {
    this(resources, Map.of(), Map.of(), defaultMode, problems);
  }

  /**
   * @param namespaceAnnotations namespace -> its {@value #ANNOTATION} value
   * @param workloadAnnotations NS/KIND/NAME of a root owner -> its {@value #ANNOTATION} value
   */
  public ModeResolver(Collection<SegmentationMode> resources, Map<String, String> namespaceAnnotations,
      Map<String, String> workloadAnnotations, Mode defaultMode, Consumer<ObjectProblem> problems) {
    this.defaultMode = defaultMode;
    // annotations first: a SegmentationMode at the same level overrides them below
    namespaceAnnotations.forEach((name, text) -> namespaces.put(name,
        parseOrEnforce(text, annotationProblem("Namespace", null, name, problems))));
    workloadAnnotations.forEach((key, text) -> {
      String[] nsKindName = key.split("/", 3);
      workloads.put(key, parseOrEnforce(text, nsKindName.length == 3
          ? annotationProblem(nsKindName[1], nsKindName[0], nsKindName[2], problems)
          : annotationProblem("Workload", null, key, problems)));
    });
    // two SegmentationModes for one target (kubectl beside the API, a copy under another name):
    // neither is ignored, the stricter holds, whatever order the informer lists them in
    Set<String> namespacesSet = new HashSet<>();
    Set<String> workloadsSet = new HashSet<>();
    for (SegmentationMode r : resources) {
      String ns = r.getMetadata().getNamespace();
      Consumer<String> wrong = message -> problems.accept(
          new ObjectProblem("SegmentationMode", ns, r.getMetadata().getName(), message));
      if (r.getSpec() == null) {
        wrong.accept("no spec");
        continue;
      }
      Mode mode = parseOrEnforce(r.getSpec().mode, wrong);
      String w = r.getSpec().workload;
      if (w == null || w.isBlank()) {
        set(namespaces, namespacesSet, ns, mode, wrong);
      } else {
        try {
          WorkloadRef ref = WorkloadRef.parse(ns + "/" + w);
          set(workloads, workloadsSet, ref.toString(), mode, wrong);
        } catch (IllegalArgumentException e) {
          wrong.accept("workload must be KIND/NAME: " + e.getMessage());
        }
      }
    }
  }

  private static void set(Map<String, Mode> into, Set<String> setByResource, String target, Mode mode,
      Consumer<String> wrong) {
    if (setByResource.add(target)) {
      into.put(target, mode);
      return;
    }
    Mode other = into.get(target);
    wrong.accept("another SegmentationMode sets " + target + " too (" + other.text() + " and "
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

  /** Reports what is wrong with the {@value #ANNOTATION} annotation of the object named. */
  private static Consumer<String> annotationProblem(String kind, String namespace, String name,
      Consumer<ObjectProblem> problems) {
    return message -> problems.accept(new ObjectProblem(kind, namespace, name, "annotation " + ANNOTATION + ": "
        + message));
  }

  /** The mode {@code text} names, or {@link Mode#ENFORCE} (told to {@code wrong}) when it names none. */
  private static Mode parseOrEnforce(String text, Consumer<String> wrong) {
    try {
      return Mode.parse(text);
    } catch (IllegalArgumentException e) {
      wrong.accept(e.getMessage() + "; enforcing until it is fixed");
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
