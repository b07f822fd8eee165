package dev.palisade.lab.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.kernel.netns.NetNs;
import dev.palisade.lab.net.LabNetwork;
import dev.palisade.lab.net.OutsideNetwork;
import dev.palisade.lab.net.Prober;
import dev.palisade.testkit.KernelTest;
import io.fabric8.kubernetes.api.model.Service;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A LoadBalancer Service from the outside, on the real kernel: the lab's load-balancer controller
 * gives it an address of 198.51.100.200+ (skipping the outside hosts' addresses), and an outside
 * host reaches the endpoint at that address and at a node's address at the node port; a ClusterIP
 * Service is not reachable from the outside at all.
 */
@KernelTest
class OutsideLoadBalancerIT {
  private static final Duration READY = Duration.ofSeconds(60);
  private static final String LAB = "out22lb";

  @Test
  void anOutsideHostReachesALoadBalancerServiceAtItsAddressAndNodePort() throws Exception {
    try (Lab lab = Lab.startBare(LAB, 2)) {
      OutsideNetwork out = lab.startOutside(List.of(
          new OutsideNetwork.Host("client", "198.51.100.200", List.of()),
          new OutsideNetwork.Host("api", "203.0.113.5", List.of(new LabNetwork.ServedPort(443, "TCP")))));
      lab.apply("""
          apiVersion: v1
          kind: Namespace
          metadata: {name: shop}
          ---
          apiVersion: apps/v1
          kind: Deployment
          metadata: {name: web, namespace: shop}
          spec:
            replicas: 1
            selector: {matchLabels: {app: web}}
            template:
              metadata: {labels: {app: web}}
              spec: {containers: [{name: web, image: web, ports: [{containerPort: 8080}]}]}
          ---
          apiVersion: v1
          kind: Service
          metadata: {name: web, namespace: shop}
          spec:
            type: LoadBalancer
            selector: {app: web}
            ports: [{port: 80, targetPort: 8080}]
          ---
          apiVersion: v1
          kind: Service
          metadata: {name: inside, namespace: shop}
          spec:
            selector: {app: web}
            ports: [{port: 81, targetPort: 8080}]
          """);
      String lbIp = awaitIngress(lab, Duration.ofSeconds(20));
      assertEquals("198.51.100.201", lbIp, "the lowest free address of the pool: .200 is an outside host's");
      lab.awaitReady(READY);
      Service web = lab.client().services().inNamespace("shop").withName("web").get();
      int nodePort = web.getSpec().getPorts().get(0).getNodePort();
      assertTrue(nodePort >= 30000 && nodePort <= 32767, "allocated node port " + nodePort);

      NetNs ns = out.ns();
      assertTrue(Prober.connect(ns, "198.51.100.200", lbIp, 80, "TCP", Prober.DEFAULT_TIMEOUT, true),
          "load-balancer address");
      for (LabNetwork.Node n : lab.network().nodes()) {
        assertTrue(Prober.connect(ns, "198.51.100.200", n.uplinkIp(), nodePort, "TCP", Prober.DEFAULT_TIMEOUT, true),
            "node port on node " + n.index());
      }
      String clusterIp = lab.client().services().inNamespace("shop").withName("inside").get().getSpec().getClusterIP();
      assertFalse(Prober.connect(ns, "198.51.100.200", clusterIp, 81, "TCP", Prober.DEFAULT_TIMEOUT, true),
          "the outside has no route to cluster IPs");
      // and the pod reaches the outside host through its node
      LabNetwork.Pod pod = lab.network().pods().stream().filter(p -> p.key().startsWith("shop/web-")).findFirst()
          .orElseThrow();
      assertTrue(Prober.connect(pod.ns(), "203.0.113.5", 443, "TCP", Prober.DEFAULT_TIMEOUT, false), "pod -> outside");
    }
    assertEquals(List.of(), NetNs.list(NetNs.PREFIX + LAB), "the lab removed its namespaces, the outside too");
  }

  private static String awaitIngress(Lab lab, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      Service s = lab.client().services().inNamespace("shop").withName("web").get();
      if (s != null && s.getStatus() != null && s.getStatus().getLoadBalancer() != null
          && s.getStatus().getLoadBalancer().getIngress() != null && !s.getStatus().getLoadBalancer().getIngress().isEmpty()) {
        return s.getStatus().getLoadBalancer().getIngress().get(0).getIp();
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no load-balancer address within " + timeout);
  }
}
