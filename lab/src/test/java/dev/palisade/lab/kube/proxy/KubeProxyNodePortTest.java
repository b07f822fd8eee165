package dev.palisade.lab.kube.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.kernel.nft.FakeNftables;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** NodePort and LoadBalancer Services in the lab kube-proxy's table. */
class KubeProxyNodePortTest {
  static Service web(String type, Integer nodePort, String lbIp) {
    ServiceBuilder b = new ServiceBuilder(KubeProxyRendererTest.WEB);
    b.editSpec().withType(type).editFirstPort().withNodePort(nodePort).endPort().endSpec();
    if (lbIp != null) {
      b.withNewStatus().withNewLoadBalancer().addNewIngress().withIp(lbIp).endIngress().endLoadBalancer().endStatus();
    }
    return b.build();
  }

  @Test
  void aNodePortIsReadOnlyForTypesThatHaveOneAndInRange() {
    var slices = List.of(KubeProxyRendererTest.webSlice());
    assertEquals(30080, ServicePorts.from(List.of(web("NodePort", 30080, null)), slices).get(0).nodePort());
    assertEquals(30080, ServicePorts.from(List.of(web("LoadBalancer", 30080, null)), slices).get(0).nodePort());
    assertEquals(0, ServicePorts.from(List.of(web("ClusterIP", 30080, null)), slices).get(0).nodePort(),
        "a ClusterIP Service has no node port, whatever its spec says");
    assertEquals(0, ServicePorts.from(List.of(web("NodePort", 8080, null)), slices).get(0).nodePort(),
        "out of range: left out, not programmed");
    assertEquals(List.of("198.51.100.200"),
        ServicePorts.from(List.of(web("LoadBalancer", 30080, "198.51.100.200")), slices).get(0).loadBalancerIps());
    assertEquals(List.of(), ServicePorts.from(List.of(web("NodePort", 30080, "198.51.100.200")), slices).get(0)
        .loadBalancerIps(), "only a LoadBalancer Service has load-balancer addresses");
  }

  @Test
  void nodePortsAndLoadBalancerAddressesGoThroughAMasqueradingWayIn() {
    String text = KubeProxyRenderer.render(ServicePorts.from(List.of(web("LoadBalancer", 30080, "198.51.100.200")),
        List.of(KubeProxyRendererTest.webSlice()))).toString();
    assertTrue(text.contains("add rule ip kube_proxy services fib daddr type local jump nodeports"), text);
    assertTrue(text.contains("add rule ip kube_proxy nodeports meta l4proto . th dport vmap @service_nodeports"), text);
    String ext = KubeProxyRenderer.externalChain(ServicePorts.from(List.of(web("NodePort", 30080, null)),
        List.of(KubeProxyRendererTest.webSlice())).get(0));
    assertTrue(text.contains("add element ip kube_proxy service_nodeports { tcp . 30080 : goto " + ext + " }"), text);
    assertTrue(text.contains("198.51.100.200 . tcp . 80 : goto " + ext), text);
    assertTrue(text.contains("10.96.0.2 . tcp . 80 : goto svc_"), "the cluster IP is not masqueraded: " + text);
    assertTrue(text.contains("add rule ip kube_proxy " + ext + " jump mark_for_masquerade"), text);
    // the fake checks what the kernel would: every chain a rule names exists, in order
    try (FakeNftables fake = new FakeNftables()) {
      fake.run(KubeProxyRenderer.render(ServicePorts.from(List.of(web("LoadBalancer", 30080, "198.51.100.200")),
          List.of(KubeProxyRendererTest.webSlice()))));
    }
  }

  @Test
  void withoutNodePortsTheTableIsAsBefore() {
    String text = KubeProxyRenderer.render(ServicePorts.from(List.of(KubeProxyRendererTest.WEB),
        List.of(KubeProxyRendererTest.webSlice()))).toString();
    assertFalse(text.contains("nodeports"), text);
    assertFalse(text.contains("ext_"), text);
  }
}
