package dev.palisade.lab.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.security.SecureRandom;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;

/**
 * What every controller shares: the API client, the number of lab nodes, and the writes counter.
 * Every change a controller makes to the cluster goes through here so that
 * {@link WorkloadControllers#awaitIdle} can tell a pass that changed nothing (a fixed point) from
 * one that did.
 */
final class ControllerContext {
  final KubernetesClient client;
  final int nodes;
  private final AtomicLong writes = new AtomicLong();
  private final Random random = new SecureRandom();

  ControllerContext(KubernetesClient client, int nodes) {
    this.client = client;
    this.nodes = nodes;
  }

  long writes() {
    return writes.get();
  }

  /** Counts a change made outside the API server (a pod started or stopped). */
  void changed() {
    writes.incrementAndGet();
  }

  /** Five random characters of the alphabet Kubernetes uses for generated names. */
  String randomSuffix() {
    StringBuilder s = new StringBuilder(5);
    for (int i = 0; i < 5; i++) {
      s.append(PodTemplateHash.ALPHABET.charAt(random.nextInt(PodTemplateHash.ALPHABET.length())));
    }
    return s.toString();
  }

  <T extends HasMetadata> T create(T object) {
    writes.incrementAndGet();
    return client.resource(object).create();
  }

  <T extends HasMetadata> T edit(T object, UnaryOperator<T> change) {
    writes.incrementAndGet();
    return client.resource(object).edit(change);
  }

  <T extends HasMetadata> T editStatus(T object, UnaryOperator<T> change) {
    writes.incrementAndGet();
    return client.resource(object).editStatus(change);
  }

  void delete(HasMetadata object) {
    writes.incrementAndGet();
    client.resource(object).delete();
  }

  /** The pods of a namespace, read from the API server (not a cache: no stale reads, no expectations). */
  List<Pod> pods(String namespace) {
    return client.pods().inNamespace(namespace).list().getItems();
  }

  /** The active pods a workload controls. */
  List<Pod> podsOf(HasMetadata owner) {
    return pods(owner.getMetadata().getNamespace()).stream()
        .filter(p -> KubeObjects.controlledBy(p, owner) && KubeObjects.active(p)).toList();
  }
}
