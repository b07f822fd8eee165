package dev.palisade.lab.daemon;

import dev.palisade.lab.deploy.Manifest;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * deploy/base as the lab uses it: every object but the Deployment and DaemonSet applied to the lab's
 * API server, and those two read for the command lines the lab's processes start with.
 */
final class DeployBase {
  /** Objects of these kinds in deploy/base are run as processes here, not as pods. */
  private static final List<String> RUN_AS_PROCESSES = List.of("Deployment", "DaemonSet");
  private static final List<String> APPLY_ORDER = List.of("Namespace", "CustomResourceDefinition", "ServiceAccount",
      "ClusterRole", "Role", "ClusterRoleBinding", "RoleBinding");

  private DeployBase() {}

  /** deploy/base but what runs as processes here, applied as `kubectl apply -k` would create it. */
  static void applyAllBut(KubernetesClient client, List<Manifest> base) {
    List<Manifest> todo = new ArrayList<>(base.stream().filter(m -> !RUN_AS_PROCESSES.contains(m.kind())).toList());
    todo.sort(java.util.Comparator.comparingInt(m -> {
      int i = APPLY_ORDER.indexOf(m.kind());
      return i < 0 ? APPLY_ORDER.size() : i;
    }));
    for (Manifest m : todo) {
      HasMetadata typed = m.typed();
      try {
        client.resource(typed).createOr(NonDeletingOperation::update);
      } catch (RuntimeException e) {
        throw new IllegalStateException("cannot apply " + m.kind() + " " + m.name() + " from " + m.source() + ": "
            + e.getMessage(), e);
      }
    }
  }

  /** The container args of the one Deployment or DaemonSet in deploy/base. */
  static List<String> argsOf(List<Manifest> base, String kind) {
    Manifest m = base.stream().filter(x -> x.kind().equals(kind)).findFirst()
        .orElseThrow(() -> new IllegalStateException("deploy/base has no " + kind));
    JsonNode args = m.object().path("spec").path("template").path("spec").path("containers").path(0).path("args");
    if (!args.isArray() || args.isEmpty()) {
      throw new IllegalStateException(m.source() + ": " + kind + " " + m.name() + " has no container args");
    }
    List<String> out = new ArrayList<>();
    args.forEach(a -> out.add(a.asString()));
    return out;
  }

  /** The args with each {@code --flag=value} named in {@code values} given the lab's value instead. */
  static List<String> replace(List<String> args, Map<String, String> values) {
    List<String> out = new ArrayList<>();
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (String a : args) {
      int eq = a.indexOf('=');
      String flag = eq < 0 ? a : a.substring(0, eq);
      if (values.containsKey(flag)) {
        out.add(flag + "=" + values.get(flag));
        seen.add(flag);
      } else {
        out.add(a);
      }
    }
    for (String flag : values.keySet()) {
      if (!seen.contains(flag)) {
        throw new IllegalStateException("deploy/base no longer passes " + flag + "=...: the lab cannot point it at "
            + values.get(flag) + " (args: " + args + ")");
      }
    }
    return out;
  }
}
