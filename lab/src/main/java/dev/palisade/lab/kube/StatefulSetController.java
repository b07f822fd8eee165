package dev.palisade.lab.kube;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatus;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Keeps pods {@code <sts>-0 .. <sts>-(n-1)}: stable names, created lowest ordinal first and removed
 * highest first. A template change replaces every pod of an older revision (all at once; the lab
 * does not wait for each to be ready), unless {@code updateStrategy: OnDelete}.
 */
final class StatefulSetController {
  static final String POD_NAME = "statefulset.kubernetes.io/pod-name";
  static final String POD_INDEX = "apps.kubernetes.io/pod-index";
  static final String REVISION = "controller-revision-hash";
  private final ControllerContext ctx;

  StatefulSetController(ControllerContext ctx) {
    this.ctx = ctx;
  }

  void reconcile(String namespace, String name) {
    StatefulSet sts = ctx.client.apps().statefulSets().inNamespace(namespace).withName(name).get();
    if (sts == null || KubeObjects.terminating(sts)) {
      return;
    }
    String revision = name + "-" + PodTemplateHash.of(sts.getSpec().getTemplate());
    int desired = KubeObjects.replicas(sts.getSpec().getReplicas());
    boolean onDelete = sts.getSpec().getUpdateStrategy() != null
        && "OnDelete".equals(sts.getSpec().getUpdateStrategy().getType());

    TreeMap<Integer, Pod> byOrdinal = new TreeMap<>();
    List<Pod> extra = new ArrayList<>();
    for (Pod pod : ctx.podsOf(sts)) {
      int ordinal = ordinal(name, pod.getMetadata().getName());
      if (ordinal < 0 || ordinal >= desired || byOrdinal.containsKey(ordinal)) {
        extra.add(pod);
      } else {
        byOrdinal.put(ordinal, pod);
      }
    }
    extra.sort(Comparator.comparingInt((Pod p) -> ordinal(name, p.getMetadata().getName())).reversed());
    extra.forEach(ctx::delete);
    for (int i = 0; i < desired; i++) {
      Pod pod = byOrdinal.get(i);
      if (pod != null && !onDelete && !revision.equals(KubeObjects.labels(pod).get(REVISION))) {
        ctx.delete(pod);
        pod = null;
      }
      if (pod == null) {
        byOrdinal.put(i, ctx.create(newPod(sts, i, revision)));
      }
    }
    writeStatus(sts, new ArrayList<>(byOrdinal.values()), revision);
  }

  static int ordinal(String setName, String podName) {
    String prefix = setName + "-";
    if (!podName.startsWith(prefix)) {
      return -1;
    }
    try {
      return Integer.parseInt(podName.substring(prefix.length()));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private Pod newPod(StatefulSet sts, int ordinal, String revision) {
    PodTemplateSpec template = sts.getSpec().getTemplate();
    String podName = sts.getMetadata().getName() + "-" + ordinal;
    Map<String, String> labels = KubeObjects.copy(template.getMetadata() == null ? null : template.getMetadata().getLabels());
    labels.put(POD_NAME, podName);
    labels.put(POD_INDEX, Integer.toString(ordinal));
    labels.put(REVISION, revision);
    PodSpec spec = ctx.client.getKubernetesSerialization().clone(template.getSpec());
    spec.setHostname(podName); // what makes <pod>.<serviceName> resolvable
    spec.setSubdomain(sts.getSpec().getServiceName());
    return new PodBuilder()
        .withNewMetadata()
        .withName(podName)
        .withNamespace(sts.getMetadata().getNamespace())
        .withLabels(labels)
        .withAnnotations(template.getMetadata() == null ? null : template.getMetadata().getAnnotations())
        .withOwnerReferences(KubeObjects.controllerRef(sts))
        .endMetadata()
        .withSpec(spec)
        .build();
  }

  private void writeStatus(StatefulSet sts, List<Pod> pods, String revision) {
    int ready = (int) pods.stream().filter(KubeObjects::ready).count();
    int updated = (int) pods.stream().filter(p -> revision.equals(KubeObjects.labels(p).get(REVISION))).count();
    StatefulSetStatus status = new StatefulSetStatusBuilder()
        .withObservedGeneration(sts.getMetadata().getGeneration())
        .withReplicas(pods.size())
        .withReadyReplicas(ready)
        .withAvailableReplicas(ready)
        .withCurrentReplicas(updated)
        .withUpdatedReplicas(updated)
        .withCurrentRevision(revision)
        .withUpdateRevision(revision)
        .withCollisionCount(0)
        .build();
    if (!status.equals(sts.getStatus())) {
      ctx.editStatus(sts, x -> {
        x.setStatus(status);
        return x;
      });
    }
  }
}
