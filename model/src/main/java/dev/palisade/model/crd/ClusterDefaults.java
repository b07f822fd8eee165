package dev.palisade.model.crd;

import dev.palisade.model.Mode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The cluster-wide settings the controller publishes for the agents, so that one place (the
 * controller's {@code --default-mode}) decides them instead of a flag on every agent: the
 * ConfigMap {@value #CONFIG_MAP} in the controller's namespace ({@value #NAMESPACE} unless it runs
 * elsewhere), {@code data: {mode: learn|monitor|enforce}}. The controller restores it when it is
 * deleted or edited.
 */
public final class ClusterDefaults {
  /** The ConfigMap's name. */
  public static final String CONFIG_MAP = "palisade-defaults";
  /** Where the controller runs, and so where the ConfigMap lives, in the shipped manifests. */
  public static final String NAMESPACE = "palisade-system";
  /** The key holding the default mode. */
  public static final String MODE_KEY = "mode";
  /**
   * The key saying whether the controller honours {@code palisade.dev/mode} on root owners
   * ({@value #HONOURED} or {@value #IGNORED}). Agents cannot see root owners' annotations, so only
   * where they are honoured may an AllowList's mode (the controller's resolution) be less strict
   * than what the agent resolves from SegmentationModes and namespaces.
   */
  public static final String WORKLOAD_ANNOTATIONS_KEY = "workloadModeAnnotations";
  public static final String HONOURED = "honoured";
  public static final String IGNORED = "ignored";

  private ClusterDefaults() {}

  /** The ConfigMap the controller writes for {@code mode} in {@code namespace}, workload annotations ignored. */
  public static ConfigMap configMap(String namespace, Mode mode) {
    return configMap(namespace, mode, false);
  }

  /** The ConfigMap the controller writes for {@code mode} in {@code namespace}. */
  public static ConfigMap configMap(String namespace, Mode mode, boolean workloadAnnotationsHonoured) {
    if (namespace == null || namespace.isBlank()) {
      throw new IllegalArgumentException("the namespace of ConfigMap " + CONFIG_MAP + " must not be blank");
    }
    return new ConfigMapBuilder().withNewMetadata().withNamespace(namespace).withName(CONFIG_MAP).endMetadata()
        .withData(Map.of(MODE_KEY, mode.text(),
            WORKLOAD_ANNOTATIONS_KEY, workloadAnnotationsHonoured ? HONOURED : IGNORED)).build();
  }

  /**
   * Whether the ConfigMap's data says workload mode annotations are honoured. Anything but
   * {@value #HONOURED} (missing, a typo) reads as ignored: the stricter reading, under which an
   * AllowList can only make its workload stricter than its SegmentationMode or namespace say.
   */
  public static boolean workloadAnnotationsHonoured(Map<String, String> data) {
    return data != null && HONOURED.equals(data.get(WORKLOAD_ANNOTATIONS_KEY));
  }

  /**
   * The default mode a reader of the ConfigMap's data should apply. A missing or unparsable value
   * fails closed: {@link Mode#ENFORCE}, reported to {@code problems}, since falling back to learn
   * would open every namespace that has no mode of its own.
   */
  public static Mode modeOf(Map<String, String> data, Consumer<String> problems) {
    String text = data == null ? null : data.get(MODE_KEY);
    try {
      return Mode.parse(text);
    } catch (IllegalArgumentException e) {
      problems.accept("ConfigMap " + CONFIG_MAP + " key " + MODE_KEY + ": " + e.getMessage()
          + "; enforcing until it is fixed");
      return Mode.ENFORCE;
    }
  }
}
