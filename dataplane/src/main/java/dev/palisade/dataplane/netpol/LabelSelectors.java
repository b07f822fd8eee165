package dev.palisade.dataplane.netpol;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Kubernetes label selectors (metav1.LabelSelector): every matchLabels pair and every
 * matchExpressions requirement must hold, so {@code {}} selects everything. A null selector is
 * not handled here: what "absent" means depends on the field (a NetworkPolicy's spec.podSelector
 * selects all pods, a peer's missing namespaceSelector means the policy's own namespace).
 */
public final class LabelSelectors {
  private LabelSelectors() {}

  /**
   * Compiles a selector once so it can be tested against many label sets.
   *
   * @throws IllegalArgumentException naming the bad requirement (relative to the selector), for
   *     an unknown operator or values that do not fit it, as the API server's validation would
   */
  public static Predicate<Map<String, String>> compile(LabelSelector selector) {
    List<Predicate<Map<String, String>>> all = new ArrayList<>();
    Map<String, String> matchLabels = selector.getMatchLabels();
    if (matchLabels != null) {
      matchLabels.forEach((k, v) -> all.add(labels -> v != null && v.equals(labels.get(k))));
    }
    List<LabelSelectorRequirement> expressions = selector.getMatchExpressions();
    for (int i = 0; expressions != null && i < expressions.size(); i++) {
      all.add(requirement(expressions.get(i), "matchExpressions[" + i + "]"));
    }
    return labels -> {
      Map<String, String> l = labels == null ? Map.of() : labels;
      for (Predicate<Map<String, String>> p : all) {
        if (!p.test(l)) {
          return false;
        }
      }
      return true;
    };
  }

  /** One-off test; compile once instead when a selector meets many label sets. */
  public static boolean matches(LabelSelector selector, Map<String, String> labels) {
    return compile(selector).test(labels);
  }

  private static Predicate<Map<String, String>> requirement(LabelSelectorRequirement r, String where) {
    String key = r.getKey();
    if (key == null || key.isEmpty()) {
      throw new IllegalArgumentException(where + ".key: must not be empty");
    }
    List<String> values = r.getValues() == null ? List.of() : r.getValues();
    String op = r.getOperator();
    if (op == null) {
      throw new IllegalArgumentException(where + ".operator: missing");
    }
    switch (op) {
      case "In", "NotIn" -> {
        if (values.isEmpty()) {
          throw new IllegalArgumentException(where + ".values: must be non-empty for operator " + op);
        }
        Set<String> set = Set.copyOf(values);
        return op.equals("In")
            ? labels -> labels.containsKey(key) && set.contains(labels.get(key))
            // NotIn also holds where the key is absent (apimachinery's selection.NotIn).
            : labels -> !labels.containsKey(key) || !set.contains(labels.get(key));
      }
      case "Exists", "DoesNotExist" -> {
        if (!values.isEmpty()) {
          throw new IllegalArgumentException(where + ".values: must be empty for operator " + op);
        }
        return op.equals("Exists") ? labels -> labels.containsKey(key) : labels -> !labels.containsKey(key);
      }
      default -> throw new IllegalArgumentException(where + ".operator: '" + op
          + "' is not one of In, NotIn, Exists, DoesNotExist");
    }
  }
}
