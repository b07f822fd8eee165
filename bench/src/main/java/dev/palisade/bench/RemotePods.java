package dev.palisade.bench;

import dev.palisade.lab.cluster.Lab;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Pods on nodes this machine does not run: the rest of a large cluster, as the API server shows it
 * to the lab's agents. They live in namespaces the lab leaves alone ({@link Lab#externalNamespace});
 * each is a Pod object bound to a node {@code remote-N} and given a Running status with an address,
 * as that node's kubelet would. Each 10 belong to one ReplicaSet (written, named with its template
 * hash, owned by a Deployment that is not), so the controller and the agents file them under one
 * Deployment identity.
 * Addresses come from 10.128.0.0/10 (odd ones only), outside the lab's pod networks; no traffic goes
 * to them.
 */
final class RemotePods {
  static final String NAMESPACE_LABEL = "palisade-bench";
  static final String NAMESPACE_LABEL_VALUE = "remote";
  private static final int PODS_PER_WORKLOAD = 10;
  private static final int WORKLOADS_PER_NAMESPACE = 100;
  private static final int PODS_PER_NODE = 100;

  private final Lab lab;
  private final KubernetesClient client;
  private int created;
  private String replicaSetUid;

  RemotePods(Lab lab) {
    this.lab = lab;
    this.client = lab.client();
  }

  /** Creates {@code count} more remote pods; returns their addresses. */
  List<String> create(int count) {
    List<String> ips = new ArrayList<>(count);
    for (int k = 0; k < count; k++) {
      ips.add(createOne());
    }
    return ips;
  }

  /** One more remote pod, Running with its address; returns the address. */
  String createOne() {
    int i = created++;
    int workload = i / PODS_PER_WORKLOAD;
    String ns = "remote-" + workload / WORKLOADS_PER_NAMESPACE;
    if (i % (PODS_PER_WORKLOAD * WORKLOADS_PER_NAMESPACE) == 0) {
      lab.externalNamespace(ns, java.util.Map.of(NAMESPACE_LABEL, NAMESPACE_LABEL_VALUE));
    }
    String deployment = "w" + workload;
    String hash = String.format(Locale.ROOT, "h%08x", workload * 2654435761L & 0xffffffffL);
    if (i % PODS_PER_WORKLOAD == 0) {
      replicaSetUid = client.apps().replicaSets().inNamespace(ns).resource(new ReplicaSetBuilder().withNewMetadata()
          .withNamespace(ns).withName(deployment + "-" + hash).addToLabels("app", deployment)
          .addToLabels("pod-template-hash", hash).addNewOwnerReference().withApiVersion("apps/v1")
          .withKind("Deployment").withName(deployment).withUid("deployment-" + workload).withController(true)
          .endOwnerReference().endMetadata().withNewSpec().withReplicas(PODS_PER_WORKLOAD).withNewSelector()
          .addToMatchLabels("app", deployment).addToMatchLabels("pod-template-hash", hash).endSelector().endSpec()
          .build()).create().getMetadata().getUid();
    }
    // every other address: no two remote pods are neighbours, so none merge into a range and each
    // is its own set element, as pods scattered over many nodes' ranges would be
    int a = 2 * i + 1;
    String ip = "10." + (128 + (a >> 16)) + "." + ((a >> 8) & 0xff) + "." + (a & 0xff);
    Pod pod = new PodBuilder().withNewMetadata().withNamespace(ns).withName(deployment + "-" + hash + "-" + i)
        .addToLabels("app", deployment).addToLabels("pod-template-hash", hash)
        .addNewOwnerReference().withApiVersion("apps/v1").withKind("ReplicaSet").withName(deployment + "-" + hash)
        .withUid(replicaSetUid).withController(true).endOwnerReference().endMetadata()
        .withNewSpec().withNodeName("remote-" + i / PODS_PER_NODE).addNewContainer().withName("c").withImage("bench")
        .addNewPort().withContainerPort(8080).endPort().endContainer().endSpec().build();
    pod.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPhase("Running").withPodIP(ip)
        .addNewPodIP(ip).withHostIP("10.127.0." + (i / PODS_PER_NODE % 250 + 1)).addNewCondition().withType("Ready")
        .withStatus("True").endCondition().build());
    Pod stored = client.pods().inNamespace(ns).resource(pod).create();
    if (stored.getStatus() == null || !ip.equals(stored.getStatus().getPodIP())) {
      // an API server that drops status on create (as a real one does) gets it as the kubelet writes it
      stored.setStatus(pod.getStatus());
      client.pods().inNamespace(ns).resource(stored).updateStatus();
    }
    return ip;
  }

  int count() {
    return created;
  }

}
