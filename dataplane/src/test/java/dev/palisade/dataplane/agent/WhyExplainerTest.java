package dev.palisade.dataplane.agent;

import static dev.palisade.dataplane.agent.AgentObjects.rule;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.dataplane.agent.WhyExplainer.Explanation;
import dev.palisade.dataplane.agent.WhyExplainer.GraphEdge;
import dev.palisade.dataplane.render.AllowRect.Proto;
import dev.palisade.model.Mode;
import dev.palisade.model.crd.AllowList;
import dev.palisade.model.crd.AllowListSpec;
import dev.palisade.model.crd.WorkloadIdentity;
import dev.palisade.model.crd.WorkloadIdentitySpec;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * Golden cases, one per layer: failsafe (node, DNS, API server), NetworkPolicy (named), the
 * reviewed graph under enforce (approved, not approved, rejected), monitor and learn. Two nodes,
 * so a connection crosses the source's node (egress) and the destination's (ingress).
 */
class WhyExplainerTest {
  private static final ClusterSnapshot CLUSTER = cluster();
  private static final List<GraphEdge> GRAPH = List.of(
      new GraphEdge("shop/Pod/web", "shop/Pod/db", "TCP", 5432, "approved"),
      new GraphEdge("shop/Pod/web", "shop/Pod/cache", "TCP", 6379, "rejected"),
      new GraphEdge("shop/Pod/tool", "shop/Pod/db", "TCP", 5432, "learned"),
      new GraphEdge("shop/Pod/tool", "shop/Pod/cache", "TCP", 6379, "rejected"));

  @ParameterizedTest(name = "{0} -> {1} {2}/{3}: {4} by {5}")
  @CsvSource({
      "shop/Pod/web,  shop/Pod/db,    5432, TCP, allow, approved",
      "shop/web,      shop/db,        5433, TCP, deny,  not approved",
      "shop/Pod/web,  shop/Pod/cache, 6379, TCP, deny,  rejected",
      "shop/Pod/tool, shop/Pod/cache, 6379, TCP, allow, mode monitor",
      "shop/Pod/tool, vault/secret,   80,   TCP, deny,  NetworkPolicy vault/deny-in",
      "shop/Pod/web,  10.96.0.10,     53,   UDP, allow, failsafe dns",
      "shop/Pod/web,  10.96.0.1,      443,  TCP, allow, failsafe api-server",
      "10.0.0.2,      shop/Pod/db,    9999, TCP, allow, failsafe node",
      "shop/Pod/tool, 10.1.0.20,      5432, TCP, deny,  not approved",
      "shop/Pod/tool, 8.8.8.8,        443,  TCP, allow, mode learn",
      "8.8.8.8,       1.1.1.1,        443,  TCP, allow, unrestricted",
  })
  void eachLayerNamesItself(String src, String dst, int port, String proto, String verdict, String decidedBy) {
    Explanation e = why(src, dst, port, proto);
    assertEquals(verdict, e.verdict(), e.reason());
    assertEquals(decidedBy, e.decidedBy(), e.reason());
  }

  @Test
  void aDropListsTheNearestApprovedEdgesAndTheModes() {
    Explanation e = why("shop/Pod/web", "shop/Pod/db", 5433, "TCP");
    assertEquals(List.of("shop/Pod/web -> shop/Pod/db 5432/TCP"), e.nearestApproved());
    assertEquals("enforce", e.sourceMode());
    assertEquals("enforce", e.destinationMode());
    assertEquals(List.of("n1", "n2"), e.nodes());
    assertTrue(e.logs().stream().anyMatch(l -> l.startsWith("n1: ")), e.logs().toString());
  }

  @Test
  void aRejectedEdgeBetweenLearnAndMonitorIsOnlyAWouldDrop() {
    Explanation e = why("shop/Pod/tool", "shop/Pod/cache", 6379, "TCP");
    assertEquals("learn", e.sourceMode());
    assertEquals("monitor", e.destinationMode());
    assertTrue(e.reason().contains("rejected"), e.reason());
  }

  @Test
  void badEndsAreNamed() {
    var a = assertThrows(IllegalArgumentException.class, () -> WhyExplainer.resolve(CLUSTER, "shop/Deployment/nope"));
    assertTrue(a.getMessage().contains("shop/Deployment/nope"), a.getMessage());
    var b = assertThrows(IllegalArgumentException.class, () -> WhyExplainer.resolve(CLUSTER, "not-an-address"));
    assertTrue(b.getMessage().contains("not-an-address"), b.getMessage());
    var c = assertThrows(IllegalArgumentException.class, () -> WhyExplainer.resolve(CLUSTER, "shop/ghost"));
    assertTrue(c.getMessage().contains("shop/ghost"), c.getMessage());
    var d = assertThrows(IllegalArgumentException.class, () -> why("shop/Pod/web", "shop/Pod/db", 0, "TCP"));
    assertTrue(d.getMessage().contains("port"), d.getMessage());
  }

  private static Explanation why(String src, String dst, int port, String proto) {
    return WhyExplainer.explain(CLUSTER, FailsafeBuilder.Config.DEFAULT, GRAPH, WhyExplainer.resolve(CLUSTER, src),
        WhyExplainer.resolve(CLUSTER, dst), Proto.valueOf(proto), port);
  }

  private static ClusterSnapshot cluster() {
    List<Pod> pods = List.of(pod("shop", "web", "10.1.0.10", "n1"), pod("shop", "db", "10.1.0.20", "n2"),
        pod("shop", "cache", "10.1.0.30", "n2"), pod("shop", "tool", "10.1.0.40", "n1"),
        pod("vault", "secret", "10.1.0.50", "n2"));
    List<WorkloadIdentity> ids = List.of(identity("shop", "web", 300), identity("shop", "db", 301),
        identity("shop", "cache", 302), identity("shop", "tool", 303), identity("vault", "secret", 304));
    List<AllowList> lists = List.of(
        list("shop", "web", 300, "enforce", List.of(), List.of(rule(301, "5432"))),
        list("shop", "db", 301, "enforce", List.of(rule(300, "5432")), List.of()),
        list("shop", "cache", 302, "monitor", List.of(), List.of()));
    NetworkPolicy denyIn = new NetworkPolicyBuilder().withNewMetadata().withNamespace("vault").withName("deny-in")
        .endMetadata().withNewSpec().withNewPodSelector().endPodSelector().withPolicyTypes("Ingress").endSpec().build();
    List<Node> nodes = List.of(node("n1", "10.0.0.1"), node("n2", "10.0.0.2"));
    List<Service> services = List.of(service("kube-system", "kube-dns", "10.96.0.10", "UDP", 53),
        service("default", "kubernetes", "10.96.0.1", "TCP", 443));
    return new ClusterSnapshot(pods, (ns, kind, name) -> Optional.empty(), ids, lists, List.of(denyIn), List.of(),
        List.of(new NamespaceBuilder().withNewMetadata().withName("shop").endMetadata().build(),
            new NamespaceBuilder().withNewMetadata().withName("vault").endMetadata().build()),
        nodes, services, List.of(), Mode.LEARN);
  }

  private static Pod pod(String ns, String name, String ip, String node) {
    return new PodBuilder().withNewMetadata().withNamespace(ns).withName(name).addToLabels("app", name).endMetadata()
        .withNewSpec().withNodeName(node).endSpec().withNewStatus().withPhase("Running").withPodIP(ip).endStatus()
        .build();
  }

  private static Node node(String name, String ip) {
    return new NodeBuilder().withNewMetadata().withName(name).endMetadata().withNewStatus().addNewAddress()
        .withType("InternalIP").withAddress(ip).endAddress().endStatus().build();
  }

  private static Service service(String ns, String name, String ip, String proto, int port) {
    return new ServiceBuilder().withNewMetadata().withNamespace(ns).withName(name).endMetadata().withNewSpec()
        .withClusterIP(ip).addNewPort().withProtocol(proto).withPort(port).endPort().endSpec().build();
  }

  private static WorkloadIdentity identity(String ns, String pod, long id) {
    WorkloadIdentity wi = new WorkloadIdentity();
    wi.setMetadata(new ObjectMetaBuilder().withNamespace(ns).withName(pod).build());
    wi.setSpec(new WorkloadIdentitySpec());
    wi.getSpec().kind = "Pod";
    wi.getSpec().name = pod;
    wi.getSpec().id = id;
    return wi;
  }

  private static AllowList list(String ns, String name, long id, String mode, List<AllowListSpec.Rule> in,
      List<AllowListSpec.Rule> out) {
    AllowList l = new AllowList();
    l.setMetadata(new ObjectMetaBuilder().withNamespace(ns).withName(name).build());
    l.setSpec(new AllowListSpec());
    l.getSpec().identity = id;
    l.getSpec().revision = 1;
    l.getSpec().mode = mode;
    l.getSpec().ingress = new ArrayList<>(in);
    l.getSpec().egress = new ArrayList<>(out);
    return l;
  }
}
