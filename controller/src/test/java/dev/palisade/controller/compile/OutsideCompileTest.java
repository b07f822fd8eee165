package dev.palisade.controller.compile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.palisade.controller.graph.EdgeStatus;
import dev.palisade.controller.graph.FlowEdge.EdgeKey;
import dev.palisade.controller.graph.FlowGraph.EdgeView;
import dev.palisade.model.Cidr;
import dev.palisade.model.IdentityPolicy;
import dev.palisade.model.Mode;
import dev.palisade.model.Peer;
import dev.palisade.model.PeerRule;
import dev.palisade.model.PortRange;
import dev.palisade.model.Protocol;
import dev.palisade.model.crd.AllowListCodec;
import dev.palisade.model.crd.AllowListSpec;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Approved edges across the cluster edge compile to peerName / peerCidr rules the agent reads back. */
class OutsideCompileTest {
  private static final String WEB = "shop/StatefulSet/web";
  private static final String FRONT = "shop/Deployment/frontend";
  private static final Map<String, Long> IDS = Map.of(WEB, 300L, FRONT, 301L);
  private final AllowListCompiler compiler = new AllowListCompiler(v -> Optional.ofNullable(IDS.get(v)),
      id -> Mode.ENFORCE);

  private static EdgeView edge(String src, String dst, int port, EdgeStatus s) {
    return new EdgeView(new EdgeKey(src, dst, Protocol.TCP, port), s, 1, 1, 1, 0, List.of(), List.of());
  }

  private static PeerRule rule(Peer p, int port) {
    return new PeerRule(p, Protocol.TCP, PortRange.of(port));
  }

  private static Peer cidr(String c) {
    return new Peer.OfCidr(Cidr.parse(c), List.of());
  }

  @Test
  void approvedOutsideEdgesBecomeRulesOnTheWorkloadsSideOnly() {
    List<EdgeView> edges = List.of(
        edge(WEB, "dns:api.payments.example", 443, EdgeStatus.APPROVED),
        edge(WEB, "dns:*.s3.example", 443, EdgeStatus.APPROVED),
        edge(WEB, "dns:a.s3.example", 443, EdgeStatus.APPROVED),
        edge(WEB, "203.0.113.10", 443, EdgeStatus.APPROVED),
        edge(WEB, "198.51.100.0/24", 8443, EdgeStatus.APPROVED),
        edge(WEB, "dns:evil.example", 443, EdgeStatus.REJECTED),
        edge(WEB, "203.0.113.99", 443, EdgeStatus.LEARNED),
        edge(WEB, "world", 80, EdgeStatus.LEARNED),
        edge(WEB, "host", 10250, EdgeStatus.APPROVED),
        edge("198.51.100.20", FRONT, 8080, EdgeStatus.APPROVED),
        edge("world", FRONT, 9090, EdgeStatus.APPROVED),
        edge("world", WEB, 8080, EdgeStatus.LEARNED));
    Map<Long, IdentityPolicy> p = compiler.compile(edges, Set.of(300L, 301L));
    assertEquals(List.of(
        rule(cidr("198.51.100.0/24"), 8443),
        rule(cidr("203.0.113.10/32"), 443),
        rule(new Peer.OfName("*.s3.example"), 443),
        rule(new Peer.OfName("a.s3.example"), 443),
        rule(new Peer.OfName("api.payments.example"), 443)), p.get(300L).egress());
    assertEquals(List.of(), p.get(300L).ingress(), "learned world ingress is dropped under enforce");
    assertEquals(List.of(rule(cidr("0.0.0.0/0"), 9090), rule(cidr("198.51.100.20/32"), 8080)), p.get(301L).ingress());
    assertEquals(List.of(), p.get(301L).egress());

    // what the controller publishes, the agent reads back unchanged
    for (IdentityPolicy policy : p.values()) {
      AllowListSpec spec = AllowListCodec.toSpec(policy, 5);
      assertEquals(policy, AllowListCodec.fromSpec(spec));
    }
    AllowListSpec web = AllowListCodec.toSpec(p.get(300L), 5);
    assertEquals("api.payments.example", web.egress.get(4).peerName);
    assertEquals("443", web.egress.get(4).ports);
    assertEquals("203.0.113.10/32", web.egress.get(1).peerCidr);
  }

  @Test
  void anOutsideEdgeCompilesOnlyForTheIdentitiesAsked() {
    List<EdgeView> edges = List.of(edge(WEB, "dns:api.payments.example", 443, EdgeStatus.APPROVED),
        edge("world", FRONT, 8080, EdgeStatus.APPROVED));
    Map<Long, IdentityPolicy> p = compiler.compile(edges, Set.of(301L));
    assertEquals(Set.of(301L), p.keySet());
    assertEquals(List.of(rule(cidr("0.0.0.0/0"), 8080)), p.get(301L).ingress());
  }
}
