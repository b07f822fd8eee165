package dev.palisade.lab.kube;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetStatus;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetStatusBuilder;
import java.util.ArrayList;
import java.util.List;

/** Keeps {@code spec.replicas} pods named {@code <rs>-<random>} for each ReplicaSet. */
final class ReplicaSetController {
  private final ControllerContext ctx;

  ReplicaSetController(ControllerContext ctx) {
    this.ctx = ctx;
  }

  void reconcile(String namespace, String name) {
    ReplicaSet rs = ctx.client.apps().replicaSets().inNamespace(namespace).withName(name).get();
    if (rs == null || KubeObjects.terminating(rs)) {
      return; // its pods go with it (GarbageCollector)
    }
    int desired = KubeObjects.replicas(rs.getSpec().getReplicas());
    List<Pod> pods = new ArrayList<>(ctx.podsOf(rs));
    if (pods.size() > desired) {
      pods.sort(KubeObjects.DELETE_FIRST);
      while (pods.size() > desired) {
        ctx.delete(pods.remove(0));
      }
    }
    while (pods.size() < desired) {
      pods.add(ctx.create(newPod(rs)));
    }
    writeStatus(rs, pods);
  }

  private Pod newPod(ReplicaSet rs) {
    PodTemplateSpec template = rs.getSpec().getTemplate();
    return new PodBuilder()
        .withNewMetadata()
        .withName(rs.getMetadata().getName() + "-" + ctx.randomSuffix())
        .withNamespace(rs.getMetadata().getNamespace())
        .withLabels(KubeObjects.copy(template.getMetadata() == null ? null : template.getMetadata().getLabels()))
        .withAnnotations(template.getMetadata() == null ? null : template.getMetadata().getAnnotations())
        .withOwnerReferences(KubeObjects.controllerRef(rs))
        .endMetadata()
        .withSpec(ctx.client.getKubernetesSerialization().clone(template.getSpec()))
        .build();
  }

  private void writeStatus(ReplicaSet rs, List<Pod> pods) {
    int ready = (int) pods.stream().filter(KubeObjects::ready).count();
    int labelled = (int) pods.stream()
        .filter(p -> KubeObjects.matches(rs.getSpec().getSelector(), KubeObjects.labels(p))).count();
    ReplicaSetStatus status = new ReplicaSetStatusBuilder()
        .withReplicas(pods.size())
        .withFullyLabeledReplicas(labelled)
        .withReadyReplicas(ready)
        .withAvailableReplicas(ready) // minReadySeconds is not modelled: ready is available
        .withObservedGeneration(rs.getMetadata().getGeneration())
        .build();
    if (!status.equals(rs.getStatus())) {
      ctx.editStatus(rs, r -> {
        r.setStatus(status);
        return r;
      });
    }
  }
}
