package dev.palisade.lab.kube;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatus;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatusBuilder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One pod {@code <ds>-<random>} on each lab node the DaemonSet's nodeSelector admits, bound to its
 * node directly ({@code spec.nodeName}). Pods of an older template are replaced.
 */
final class DaemonSetController {
  static final String REVISION = "controller-revision-hash";
  static final String GENERATION = "pod-template-generation";
  private final ControllerContext ctx;

  DaemonSetController(ControllerContext ctx) {
    this.ctx = ctx;
  }

  void reconcile(String namespace, String name) {
    DaemonSet ds = ctx.client.apps().daemonSets().inNamespace(namespace).withName(name).get();
    if (ds == null || KubeObjects.terminating(ds)) {
      return;
    }
    String revision = PodTemplateHash.of(ds.getSpec().getTemplate());
    Map<Integer, List<Pod>> byNode = new HashMap<>();
    for (Pod pod : ctx.podsOf(ds)) {
      int node = KubeObjects.nodeIndex(pod.getSpec().getNodeName(), ctx.nodes);
      if (node < 0 || !admits(ds, node)) {
        ctx.delete(pod); // on a node it no longer belongs on
      } else {
        byNode.computeIfAbsent(node, n -> new ArrayList<>()).add(pod);
      }
    }
    List<Pod> live = new ArrayList<>();
    int desired = 0;
    for (int node = 0; node < ctx.nodes; node++) {
      if (!admits(ds, node)) {
        continue;
      }
      desired++;
      Pod keep = null;
      for (Pod pod : byNode.getOrDefault(node, List.of())) {
        if (keep == null && revision.equals(KubeObjects.labels(pod).get(REVISION))) {
          keep = pod;
        } else {
          ctx.delete(pod); // a second pod on the node, or one of an older template
        }
      }
      live.add(keep != null ? keep : ctx.create(newPod(ds, node, revision)));
    }
    writeStatus(ds, live, desired, revision);
  }

  private static boolean admits(DaemonSet ds, int node) {
    Map<String, String> selector = ds.getSpec().getTemplate().getSpec().getNodeSelector();
    return selector == null || KubeObjects.matches(selector, KubeObjects.nodeLabels(node));
  }

  private Pod newPod(DaemonSet ds, int node, String revision) {
    PodTemplateSpec template = ds.getSpec().getTemplate();
    Map<String, String> labels = KubeObjects.copy(template.getMetadata() == null ? null : template.getMetadata().getLabels());
    labels.put(REVISION, revision);
    labels.put(GENERATION, String.valueOf(ds.getMetadata().getGeneration() == null ? 1 : ds.getMetadata().getGeneration()));
    PodSpec spec = ctx.client.getKubernetesSerialization().clone(template.getSpec());
    spec.setNodeName(KubeObjects.nodeName(node));
    return new PodBuilder()
        .withNewMetadata()
        .withName(ds.getMetadata().getName() + "-" + ctx.randomSuffix())
        .withNamespace(ds.getMetadata().getNamespace())
        .withLabels(labels)
        .withAnnotations(template.getMetadata() == null ? null : template.getMetadata().getAnnotations())
        .withOwnerReferences(KubeObjects.controllerRef(ds))
        .endMetadata()
        .withSpec(spec)
        .build();
  }

  private void writeStatus(DaemonSet ds, List<Pod> pods, int desired, String revision) {
    int ready = (int) pods.stream().filter(KubeObjects::ready).count();
    int updated = (int) pods.stream().filter(p -> revision.equals(KubeObjects.labels(p).get(REVISION))).count();
    DaemonSetStatus status = new DaemonSetStatusBuilder()
        .withObservedGeneration(ds.getMetadata().getGeneration())
        .withDesiredNumberScheduled(desired)
        .withCurrentNumberScheduled(pods.size())
        .withUpdatedNumberScheduled(updated)
        .withNumberReady(ready)
        .withNumberAvailable(ready)
        .withNumberUnavailable(desired - ready)
        .withNumberMisscheduled(0)
        .build();
    if (!status.equals(ds.getStatus())) {
      ctx.editStatus(ds, x -> {
        x.setStatus(status);
        return x;
      });
    }
  }
}
