package dev.palisade.lab.cluster;

import dev.palisade.lab.scenario.ScenarioException;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.List;

/**
 * Resolves a scenario's pod references (ns/pod or workload/NS/KIND/NAME) to the lab's pods, following
 * each pod's controller chain up to its workload as the API server holds it.
 */
final class WorkloadPods {
  private final KubernetesClient client;

  WorkloadPods(KubernetesClient client) {
    this.client = client;
  }

  /** The pods {@code ref} names, sorted; a pod being deleted no longer counts for its workload. */
  List<String> resolve(String ref) {
    String[] parts = ref.split("/");
    if (parts.length == 2) {
      Pod p = client.pods().inNamespace(parts[0]).withName(parts[1]).get();
      if (p == null) {
        throw new ScenarioException("no pod " + ref + " in the lab");
      }
      return List.of(ref);
    }
    if (parts.length == 4 && parts[0].equals("workload")) {
      List<String> pods = new ArrayList<>();
      for (Pod p : client.pods().inNamespace(parts[1]).list().getItems()) {
        if (isDeleting(p)) {
          continue;
        }
        String root = rootOwner(p);
        if (root.equals(parts[2] + "/" + parts[3])) {
          pods.add(parts[1] + "/" + p.getMetadata().getName());
        }
      }
      if (pods.isEmpty()) {
        throw new ScenarioException("workload " + ref + " has no pods in the lab");
      }
      pods.sort(null);
      return pods;
    }
    throw new ScenarioException("cannot resolve '" + ref + "': expected ns/pod or workload/NS/KIND/NAME");
  }

  private static boolean isDeleting(Pod p) {
    return p.getMetadata().getDeletionTimestamp() != null;
  }

  /** KIND/NAME of the object at the top of the pod's controller chain (the pod itself if bare). */
  private String rootOwner(Pod p) {
    HasMetadata current = p;
    String kind = "Pod";
    for (int depth = 0; depth < 5; depth++) {
      OwnerReference owner = controllerOf(current);
      if (owner == null) {
        break;
      }
      kind = owner.getKind();
      String apiVersion = owner.getApiVersion();
      HasMetadata next = client.genericKubernetesResources(apiVersion, kind)
          .inNamespace(p.getMetadata().getNamespace()).withName(owner.getName()).get();
      if (next == null) {
        return kind + "/" + owner.getName();
      }
      current = next;
    }
    return kind + "/" + current.getMetadata().getName();
  }

  private static OwnerReference controllerOf(HasMetadata o) {
    List<OwnerReference> refs = o.getMetadata().getOwnerReferences();
    if (refs == null) {
      return null;
    }
    return refs.stream().filter(r -> Boolean.TRUE.equals(r.getController())).findFirst()
        .orElse(refs.isEmpty() ? null : refs.get(0));
  }
}
