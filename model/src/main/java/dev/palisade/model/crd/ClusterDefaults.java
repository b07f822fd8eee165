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

  private ClusterDefaults() {}

  /** The ConfigMap the controller writes for {@code mode} in {@code namespace}. */
  public static ConfigMap configMap(String namespace, Mode mode) {
    if (namespace == null || namespace.isBlank()) {
      throw new IllegalArgumentException("the namespace of ConfigMap " + CONFIG_MAP + " must not be blank");
    }
    return new ConfigMapBuilder().withNewMetadata().withNamespace(namespace).withName(CONFIG_MAP).endMetadata()
        .withData(Map.of(MODE_KEY, mode.text())).build();
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
