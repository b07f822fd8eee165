package dev.palisade.lab.kube;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs each Deployment through a ReplicaSet named {@code <deployment>-<pod-template-hash>}. A
 * template change makes a new ReplicaSet; the old ones are scaled to zero once the new one has all
 * its pods ready (a surge of 100%: the lab has room, and no connection sees a gap in service).
 * With {@code strategy: Recreate} the old ones go at once.
 */
final class DeploymentController {
  static final String REVISION = "deployment.kubernetes.io/revision";
  private final ControllerContext ctx;

  DeploymentController(ControllerContext ctx) {
    this.ctx = ctx;
  }

  void reconcile(String namespace, String name) {
    Deployment d = ctx.client.apps().deployments().inNamespace(namespace).withName(name).get();
    if (d == null || KubeObjects.terminating(d)) {
      return;
    }
    String hash = PodTemplateHash.of(d.getSpec().getTemplate());
    int desired = KubeObjects.replicas(d.getSpec().getReplicas());
    List<ReplicaSet> owned = new ArrayList<>(ctx.client.apps().replicaSets().inNamespace(namespace).list().getItems()
        .stream().filter(rs -> KubeObjects.controlledBy(rs, d) && !KubeObjects.terminating(rs)).toList());
    int maxRevision = owned.stream().mapToInt(DeploymentController::revision).max().orElse(0);

    ReplicaSet current = owned.stream()
        .filter(rs -> hash.equals(KubeObjects.labels(rs).get(PodTemplateHash.LABEL))).findFirst().orElse(null);
    if (current == null) {
      current = ctx.create(newReplicaSet(d, hash, desired, maxRevision + 1));
      owned.add(current);
    } else if (KubeObjects.replicas(current.getSpec().getReplicas()) != desired || revision(current) < maxRevision) {
      // A rollback to an older template reuses its ReplicaSet, which becomes the newest revision.
      int revision = revision(current) < maxRevision ? maxRevision + 1 : revision(current);
      current = ctx.edit(current, rs -> {
        rs.getSpec().setReplicas(desired);
        Map<String, String> annotations = KubeObjects.copy(rs.getMetadata().getAnnotations());
        annotations.put(REVISION, Integer.toString(revision));
        rs.getMetadata().setAnnotations(annotations);
        return rs;
      });
    }
    String currentName = current.getMetadata().getName();

    boolean recreate = d.getSpec().getStrategy() != null && "Recreate".equals(d.getSpec().getStrategy().getType());
    boolean rolledOut = KubeObjects.orZero(current.getStatus() == null ? null : current.getStatus().getReadyReplicas()) >= desired;
    for (ReplicaSet old : owned) {
      if (!old.getMetadata().getName().equals(currentName) && (recreate || rolledOut)
          && KubeObjects.replicas(old.getSpec().getReplicas()) != 0) {
        ctx.edit(old, rs -> {
          rs.getSpec().setReplicas(0);
          return rs;
        });
      }
    }
    String revision = Integer.toString(revision(current));
    Deployment latest = d;
    if (!revision.equals(KubeObjects.copy(d.getMetadata().getAnnotations()).get(REVISION))) {
      latest = ctx.edit(d, x -> {
        Map<String, String> annotations = KubeObjects.copy(x.getMetadata().getAnnotations());
        annotations.put(REVISION, revision);
        x.getMetadata().setAnnotations(annotations);
        return x;
      });
    }
    writeStatus(latest, owned, current, desired);
  }

  private ReplicaSet newReplicaSet(Deployment d, String hash, int replicas, int revision) {
    PodTemplateSpec template = ctx.client.getKubernetesSerialization().clone(d.getSpec().getTemplate());
    Map<String, String> labels = KubeObjects.copy(template.getMetadata() == null ? null : template.getMetadata().getLabels());
    labels.put(PodTemplateHash.LABEL, hash);
    if (template.getMetadata() == null) {
      template.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMeta());
    }
    template.getMetadata().setLabels(labels);
    LabelSelector selector = ctx.client.getKubernetesSerialization().clone(d.getSpec().getSelector());
    Map<String, String> matchLabels = KubeObjects.copy(selector.getMatchLabels());
    matchLabels.put(PodTemplateHash.LABEL, hash);
    selector.setMatchLabels(matchLabels);
    Map<String, String> annotations = new HashMap<>();
    annotations.put(REVISION, Integer.toString(revision));
    return new ReplicaSetBuilder()
        .withNewMetadata()
        .withName(d.getMetadata().getName() + "-" + hash)
        .withNamespace(d.getMetadata().getNamespace())
        .withLabels(labels)
        .withAnnotations(annotations)
        .withOwnerReferences(KubeObjects.controllerRef(d))
        .endMetadata()
        .withNewSpec()
        .withReplicas(replicas)
        .withSelector(selector)
        .withTemplate(template)
        .withMinReadySeconds(d.getSpec().getMinReadySeconds())
        .endSpec()
        .build();
  }

  private void writeStatus(Deployment d, List<ReplicaSet> owned, ReplicaSet current, int desired) {
    int replicas = 0;
    int ready = 0;
    int available = 0;
    for (ReplicaSet rs : owned) {
      if (rs.getStatus() != null) {
        replicas += KubeObjects.orZero(rs.getStatus().getReplicas());
        ready += KubeObjects.orZero(rs.getStatus().getReadyReplicas());
        available += KubeObjects.orZero(rs.getStatus().getAvailableReplicas());
      }
    }
    int updated = current.getStatus() == null ? 0 : KubeObjects.orZero(current.getStatus().getReplicas());
    List<DeploymentCondition> old = d.getStatus() == null ? null : d.getStatus().getConditions();
    boolean isAvailable = available >= desired;
    boolean complete = updated == desired && replicas == desired && isAvailable;
    DeploymentStatus status = new DeploymentStatusBuilder()
        .withObservedGeneration(d.getMetadata().getGeneration())
        .withReplicas(replicas)
        .withUpdatedReplicas(updated)
        .withReadyReplicas(ready)
        .withAvailableReplicas(available)
        .withUnavailableReplicas(Math.max(0, desired - available))
        .withConditions(
            condition(old, "Available", isAvailable, isAvailable ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable",
                isAvailable ? "Deployment has minimum availability." : "Deployment does not have minimum availability."),
            condition(old, "Progressing", true, complete ? "NewReplicaSetAvailable" : "ReplicaSetUpdated",
                "ReplicaSet \"" + current.getMetadata().getName() + "\" "
                    + (complete ? "has successfully progressed." : "is progressing.")))
        .build();
    if (!status.equals(d.getStatus())) {
      ctx.editStatus(d, x -> {
        x.setStatus(status);
        return x;
      });
    }
  }

  private static DeploymentCondition condition(List<DeploymentCondition> old, String type, boolean value, String reason,
      String message) {
    String status = value ? "True" : "False";
    DeploymentCondition previous = old == null ? null
        : old.stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
    boolean same = previous != null && status.equals(previous.getStatus()) && reason.equals(previous.getReason())
        && message.equals(previous.getMessage());
    String transition = KubeObjects.transitionTime(old, type, status);
    return new DeploymentConditionBuilder().withType(type).withStatus(status).withReason(reason).withMessage(message)
        .withLastTransitionTime(transition)
        .withLastUpdateTime(same && previous.getLastUpdateTime() != null ? previous.getLastUpdateTime() : KubeObjects.now())
        .build();
  }

  private static int revision(ReplicaSet rs) {
    String value = KubeObjects.copy(rs.getMetadata().getAnnotations()).get(REVISION);
    try {
      return value == null ? 0 : Integer.parseInt(value);
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
