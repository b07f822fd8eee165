package dev.palisade.dataplane.netpol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.palisade.dataplane.render.AllowRect.Proto;
import dev.palisade.dataplane.render.Interval;
import dev.palisade.dataplane.render.TierOrder.TierRects;
import dev.palisade.model.cnp.ClusterNetworkPolicy;
import dev.palisade.model.cnp.ClusterNetworkPolicy.Action;
import dev.palisade.model.cnp.ClusterNetworkPolicyReader;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Upstream's ClusterNetworkPolicy semantics on the e2e model (x, y, z; a, b, c; 10.244.N.M). */
class ClusterPolicyCompilerTest {
  private final NetpolFixture f = NetpolFixture.model();

  @SuppressWarnings("unchecked")
  private static ClusterNetworkPolicy cnp(String yaml) {
    return ClusterNetworkPolicyReader.read(new KubernetesSerialization().unmarshal(yaml, Map.class));
  }

  private static String policy(String name, String tier, int priority, String subject, String rules) {
    return "apiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\nmetadata: {name: " + name
        + "}\nspec:\n  tier: " + tier + "\n  priority: " + priority + "\n  subject: " + subject + "\n" + rules;
  }

  private Map<String, PodTiers> compile(ClusterNetworkPolicy... policies) {
    return ClusterPolicyCompiler.compile(List.of(policies), f.namespaces, f.pods, new HashSet<>(f.ipOf.values()));
  }

  private Action decide(TierRects t, String peer, Proto proto, int port) {
    return t.decide(Interval.parseIp(f.ipOf.get(peer)), proto, port);
  }

  @Test
  void lowestPriorityFirstAndRulesInOrder() {
    var deny = cnp(policy("deny-yb", "Admin", 5, "{namespaces: {matchLabels: {ns: x}}}", """
          ingress:
          - {action: Pass, from: [{pods: {namespaceSelector: {matchLabels: {ns: y}}, podSelector: {matchLabels: {pod: c}}}}]}
          - {action: Deny, from: [{pods: {namespaceSelector: {matchLabels: {ns: y}}, podSelector: {matchLabels: {pod: b}}}}],
             protocols: [{tcp: {destinationPort: {number: 80}}}]}
        """));
    var accept = cnp(policy("accept-y", "Admin", 10, "{namespaces: {matchLabels: {ns: x}}}", """
          ingress:
          - {action: Accept, from: [{namespaces: {matchLabels: {ns: y}}}]}
        """));
    PodTiers xa = compile(accept, deny).get(f.ipOf.get("x/a"));
    assertEquals(Action.DENY, decide(xa.adminIngress(), "y/b", Proto.TCP, 80));
    assertEquals(Action.ACCEPT, decide(xa.adminIngress(), "y/b", Proto.TCP, 81), "the deny names port 80 only");
    assertEquals(Action.ACCEPT, decide(xa.adminIngress(), "y/a", Proto.UDP, 80));
    assertNull(decide(xa.adminIngress(), "y/c", Proto.TCP, 80), "Pass at the lower priority claims y/c");
    assertNull(decide(xa.adminIngress(), "z/a", Proto.TCP, 80));
    assertEquals(TierRects.NONE, xa.baselineIngress());
    assertNull(compile(accept, deny).get(f.ipOf.get("y/a")), "no policy selects y/a");
  }

  @Test
  void namedPortsResolveOnTheDestinationAndNetworksMatchPods() {
    var p = cnp(policy("egress", "Baseline", 1,
        "{pods: {namespaceSelector: {matchLabels: {ns: x}}, podSelector: {matchLabels: {pod: a}}}}", """
          egress:
          - {action: Deny, to: [{namespaces: {matchLabels: {ns: z}}}], protocols: [{destinationNamedPort: serve-81-udp}]}
          - {action: Deny, to: [{networks: [10.244.2.0/24]}], protocols: [{sctp: {}}, {tcp: {destinationPort: {range: {start: 80, end: 81}}}}]}
        """));
    Map<String, PodTiers> tiers = compile(p);
    PodTiers xa = tiers.get(f.ipOf.get("x/a"));
    assertEquals(Action.DENY, decide(xa.baselineEgress(), "z/b", Proto.UDP, 81));
    assertNull(decide(xa.baselineEgress(), "z/b", Proto.TCP, 81), "serve-81-udp is UDP");
    assertEquals(Action.DENY, decide(xa.baselineEgress(), "y/c", Proto.TCP, 80));
    assertEquals(Action.DENY, decide(xa.baselineEgress(), "y/c", Proto.SCTP, 9999));
    assertNull(decide(xa.baselineEgress(), "y/c", Proto.UDP, 80));
    assertFalse(tiers.containsKey(f.ipOf.get("x/b")), "the subject names pod a only");
  }

  @Test
  void ingressNamedPortIsTheSubjectPodsOwn() {
    var p = cnp(policy("named", "Admin", 1, "{namespaces: {matchLabels: {ns: x}}}", """
          ingress:
          - {action: Deny, from: [{namespaces: {}}], protocols: [{destinationNamedPort: serve-80-tcp}]}
        """));
    PodTiers xb = compile(p).get(f.ipOf.get("x/b"));
    assertEquals(Action.DENY, decide(xb.adminIngress(), "z/c", Proto.TCP, 80));
    assertNull(decide(xb.adminIngress(), "z/c", Proto.UDP, 80));
    assertNull(decide(xb.adminIngress(), "z/c", Proto.TCP, 81));
  }
}
