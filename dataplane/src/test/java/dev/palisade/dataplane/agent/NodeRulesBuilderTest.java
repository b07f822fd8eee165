package dev.palisade.dataplane.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.dataplane.netpol.PodPolicy;
import dev.palisade.dataplane.render.AllowRect;
import dev.palisade.dataplane.render.Interval;
import dev.palisade.dataplane.render.NodeRules;
import dev.palisade.dataplane.render.NodeRules.Enforcement;
import dev.palisade.dataplane.render.NodeRules.Group;
import dev.palisade.model.Identities;
import dev.palisade.model.IdentityPolicy;
import dev.palisade.model.Mode;
import dev.palisade.model.Peer;
import dev.palisade.model.PeerRule;
import dev.palisade.model.PortRange;
import dev.palisade.model.Protocol;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NodeRulesBuilderTest {
  private static final IdentityPolicy API = new IdentityPolicy(301, Mode.ENFORCE,
      List.of(new PeerRule(new Peer.OfIdentity(300), Protocol.TCP, PortRange.of(9090))), List.of());
  private static final Map<Long, Set<String>> IPS = Map.of(300L, Set.of("10.244.0.10"), 301L,
      Set.of("10.244.0.20", "10.244.0.21"));

  private static Group group(NodeRules r, String ip) {
    return r.groups().stream().filter(g -> g.podIps().contains(ip)).findFirst().orElseThrow();
  }

  @Test
  void onePolicyPerIdentityExpandedToPeerAddresses() {
    NodeRules r = NodeRulesBuilder.build(Map.of("10.244.0.20", 301L, "10.244.0.21", 301L), IPS, Map.of(301L, API),
        Mode.LEARN);
    assertEquals(1, r.groups().size());
    Group g = r.groups().get(0);
    assertEquals("301", g.name());
    assertEquals(Enforcement.ENFORCE, g.ingress().enforcement());
    assertEquals(Set.of(new AllowRect(Interval.ip("10.244.0.10"), AllowRect.Proto.TCP, Interval.port(9090))),
        g.ingress().approved());
  }

  @Test
  void podsNetworkPolicyTreatsDifferentlySplitIntoStableVariants() {
    PodPolicy isolated = new PodPolicy(new PodPolicy.Side(true, Set.of(), Set.of()), PodPolicy.Side.OPEN);
    NodeRules r = NodeRulesBuilder.build(Map.of("10.244.0.20", 301L, "10.244.0.21", 301L), IPS, Map.of(301L, API),
        Mode.LEARN, Map.of("10.244.0.21", isolated), Map.of());
    assertEquals("301_v0", group(r, "10.244.0.20").name(), "variants are numbered by their lowest address");
    assertEquals("301_v1", group(r, "10.244.0.21").name());
    assertTrue(group(r, "10.244.0.21").ingress().npIsolated());
    assertFalse(group(r, "10.244.0.20").ingress().npIsolated());
    assertEquals(group(r, "10.244.0.20").ingress().approved(), group(r, "10.244.0.21").ingress().approved(),
        "the allow-list part is the identity's, whatever the variant");
  }

  @Test
  void podsOfAWorkloadWithoutIdentityYetFollowTheirNamespacesModeClosedInEnforce() {
    NodeRules r = NodeRulesBuilder.build(Map.of("10.244.0.30", Identities.UNKNOWN, "10.244.0.31", Identities.UNKNOWN),
        IPS, Map.of(), Mode.LEARN, Map.of(), Map.of("10.244.0.30", Mode.ENFORCE, "10.244.0.31", Mode.LEARN));
    Group enforced = group(r, "10.244.0.30");
    assertEquals(Enforcement.ENFORCE, enforced.ingress().enforcement());
    assertEquals(Set.of(), enforced.ingress().approved(), "nothing is approved for a workload nobody has seen");
    assertEquals(Enforcement.ENFORCE, enforced.egress().enforcement());
    assertFalse(group(r, "10.244.0.31").ingress().restricted(), "a pending pod in a learning namespace stays open");
  }
}
