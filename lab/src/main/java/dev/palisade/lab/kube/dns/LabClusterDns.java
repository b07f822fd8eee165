package dev.palisade.lab.kube.dns;

import dev.palisade.lab.kube.ClusterIpAllocator;
import dev.palisade.lab.kube.NetworkPodRuntime;
import dev.palisade.lab.kube.proxy.ServiceWatch;
import dev.palisade.lab.net.LabNetwork;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.time.Duration;
import java.util.Map;

/**
 * The lab's cluster DNS, placed where a cluster has it: Service {@code kube-system/kube-dns} on
 * 10.96.0.10 port 53 (UDP and TCP), and behind it pod {@code kube-system/lab-dns}, a real lab pod
 * (its own network namespace, started by the lab's kubelet) in which a {@link LabDnsServer}
 * answers. The EndpointSlice is the lab's EndpointSliceController's, from the Service's selector,
 * so pods reach DNS through the lab kube-proxy's DNAT and Palisade's failsafe for DNS judges the
 * real packets. The pod is pinned to an IP outside every node's pod CIDR, so it never takes an IP
 * a scenario pins for its own pods.
 *
 * <p>The pod declares no container ports: the lab's kubelet would serve them with its echo server,
 * and the DNS server needs port 53 itself. Its Service gives targetPort 53, which needs none.
 */
public final class LabClusterDns implements AutoCloseable {
  public static final String NAMESPACE = "kube-system";
  public static final String SERVICE = "kube-dns";
  public static final String POD = "lab-dns";
  public static final String POD_IP = "10.244.254.10";
  private static final Map<String, String> LABELS = Map.of("k8s-app", "kube-dns");

  private final LabDnsServer server;

  private LabClusterDns(LabDnsServer server) {
    this.server = server;
  }

  /**
   * Writes the Service and the pod (keeping any already there), waits until the lab's kubelet has
   * started the pod, and serves DNS in it.
   *
   * @throws IllegalStateException when the pod does not come up within the timeout
   */
  public static LabClusterDns start(KubernetesClient client, NetworkPodRuntime runtime, ServiceWatch cluster,
      Duration timeout) {
    return start(client, runtime, cluster, new OutsideZone(), timeout);
  }

  /** As above, also answering the names of the outside zone (set by a scenario's outside section). */
  public static LabClusterDns start(KubernetesClient client, NetworkPodRuntime runtime, ServiceWatch cluster,
      OutsideZone outside, Duration timeout) {
    if (client.namespaces().withName(NAMESPACE).get() == null) {
      client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE)
          .addToLabels("kubernetes.io/metadata.name", NAMESPACE).endMetadata().build())
          .createOr(NonDeletingOperation::update);
    }
    if (client.services().inNamespace(NAMESPACE).withName(SERVICE).get() == null) {
      Service svc = new ServiceBuilder().withNewMetadata().withNamespace(NAMESPACE).withName(SERVICE)
          .addToLabels("k8s-app", "kube-dns").addToLabels("kubernetes.io/name", "CoreDNS").endMetadata()
          .withNewSpec().withType("ClusterIP").withClusterIP(ClusterIpAllocator.DNS_IP)
          .withClusterIPs(ClusterIpAllocator.DNS_IP).withSelector(LABELS)
          .addNewPort().withName("dns").withProtocol("UDP").withPort(53).withNewTargetPort(53).endPort()
          .addNewPort().withName("dns-tcp").withProtocol("TCP").withPort(53).withNewTargetPort(53).endPort()
          .endSpec().build();
      client.services().inNamespace(NAMESPACE).resource(svc).create();
    }
    runtime.pin(NAMESPACE, POD, POD_IP);
    if (client.pods().inNamespace(NAMESPACE).withName(POD).get() == null) {
      Pod pod = new PodBuilder().withNewMetadata().withNamespace(NAMESPACE).withName(POD).withLabels(LABELS)
          .endMetadata().withNewSpec().withNodeName("lab-node-0").withDnsPolicy("Default")
          .addNewContainer().withName("dns").withImage("palisade-lab/dns").endContainer()
          .endSpec().build();
      client.pods().inNamespace(NAMESPACE).resource(pod).create();
    }
    LabNetwork.Pod pod = awaitPod(runtime.network(), NAMESPACE + "/" + POD, timeout);
    return new LabClusterDns(LabDnsServer.start(pod.ns(), cluster::snapshot, outside));
  }

  private static LabNetwork.Pod awaitPod(LabNetwork net, String key, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      for (LabNetwork.Pod p : net.pods()) {
        if (p.key().equals(key)) {
          return p;
        }
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the lab's DNS pod " + key + " did not start within " + timeout);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for the DNS pod", e);
      }
    }
  }

  @Override
  public void close() {
    server.close();
  }
}
