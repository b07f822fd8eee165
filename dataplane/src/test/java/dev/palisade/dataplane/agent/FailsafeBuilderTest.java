package dev.palisade.dataplane.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.palisade.dataplane.render.AllowRect;
import dev.palisade.dataplane.render.NodeRules.Failsafe;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class FailsafeBuilderTest {
  private static Node node(String name, String... ips) {
    NodeBuilder b = new NodeBuilder().withNewMetadata().withName(name).endMetadata().withNewStatus().endStatus();
    for (String ip : ips) {
      b.editStatus().addNewAddress().withType(ip.contains(":") ? "InternalIP" : "InternalIP").withAddress(ip)
          .endAddress().endStatus();
    }
    return b.build();
  }

  private static Service service(String ns, String name, String clusterIp, int... tcpPorts) {
    ServiceBuilder b = new ServiceBuilder().withNewMetadata().withNamespace(ns).withName(name).endMetadata()
        .withNewSpec().withClusterIP(clusterIp).endSpec();
    for (int p : tcpPorts) {
      b.editSpec().addNewPort().withProtocol("TCP").withPort(p).endPort().endSpec();
    }
    return b.build();
  }

  private static EndpointSlice slice(String ns, String service, String ip, String protocol, int port) {
    return new EndpointSliceBuilder().withNewMetadata().withNamespace(ns).withName(service + "-x")
        .addToLabels("kubernetes.io/service-name", service).endMetadata().withAddressType("IPv4")
        .addNewPort().withProtocol(protocol).withPort(port).endPort()
        .addNewEndpoint().withAddresses(ip).endEndpoint().build();
  }

  private static Set<String> texts(Failsafe f) {
    return f.destinations().stream().map(AllowRect::elementText).collect(Collectors.toCollection(TreeSet::new));
  }

  @Test
  void theNodesOwnAddressesTheApiServerAndDnsOnPort53AndNothingElse() {
    Service dns = service("kube-system", "kube-dns", "10.96.0.10", 53, 9153);
    dns.getSpec().getPorts().add(new io.fabric8.kubernetes.api.model.ServicePortBuilder().withProtocol("UDP").withPort(53)
        .build());
    Failsafe f = FailsafeBuilder.build(FailsafeBuilder.Config.DEFAULT, "n1",
        List.of(node("n1", "192.168.1.11", "fd00::11"), node("n2", "192.168.1.12")),
        List.of(service("default", "kubernetes", "10.96.0.1", 443), dns, service("shop", "kube-dns", "10.96.7.7", 53)),
        List.of(slice("default", "kubernetes", "192.168.1.2", "TCP", 6443), slice("kube-system", "kube-dns", "10.244.3.4",
            "UDP", 53), slice("kube-system", "kube-dns", "10.244.3.4", "TCP", 9153)));
    assertEquals(Set.of("192.168.1.11"), f.sources().stream().map(i -> i.ipText()).collect(Collectors.toSet()),
        "this node only, IPv4 only");
    assertEquals(new TreeSet<>(List.of("10.96.0.1 . tcp . 443", "192.168.1.2 . tcp . 6443", "10.96.0.10 . tcp . 53",
        "10.96.0.10 . udp . 53", "10.244.3.4 . udp . 53")), texts(f),
        "not the DNS metrics port, not a look-alike Service in another namespace");
  }

  @Test
  void offMeansNothingAndABadServiceRefIsRefused() {
    assertEquals(Failsafe.NONE, FailsafeBuilder.build(FailsafeBuilder.Config.OFF, "n1",
        List.of(node("n1", "192.168.1.11")), List.of(), List.of()));
    assertThrows(IllegalArgumentException.class, () -> new FailsafeBuilder.Config(true, "kubernetes", "a/b"));
  }
}
