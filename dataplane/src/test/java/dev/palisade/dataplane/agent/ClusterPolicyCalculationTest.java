package dev.palisade.dataplane.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.dataplane.render.AllowRect.Proto;
import dev.palisade.dataplane.render.ConnectionVerdict;
import dev.palisade.model.Mode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The agent's calculation with ClusterNetworkPolicy objects as the informer hands them over: an
 * enforceable one is in the rules; one that cannot be enforced is skipped whole and reported,
 * and the others still apply.
 */
class ClusterPolicyCalculationTest {
  private static final String NODE = "node-1";

  private static Pod pod(String ns, String name, String ip, String v6, String node) {
    return new PodBuilder().withNewMetadata().withNamespace(ns).withName(name).withLabels(Map.of("app", name))
        .endMetadata().withNewSpec().withNodeName(node).addNewContainer().withName("c").endContainer().endSpec()
        .withNewStatus().withPodIP(ip).addNewPodIP().withIp(ip).endPodIP().addNewPodIP().withIp(v6)
        .endPodIP().withPhase("Running").endStatus().build();
  }

  private static Namespace namespace(String name) {
    return new NamespaceBuilder().withNewMetadata().withName(name).withLabels(Map.of("team", name)).endMetadata()
        .build();
  }

  private static GenericKubernetesResource cnp(String name, String network) {
    String yaml = """
        apiVersion: policy.networking.k8s.io/v1alpha2
        kind: ClusterNetworkPolicy
        metadata: {name: NAME}
        spec:
          tier: Admin
          priority: 1
          subject: {namespaces: {matchLabels: {team: shop}}}
          egress:
          - {action: Deny, to: [{networks: [NETWORK]}], protocols: [{tcp: {destinationPort: {number: 443}}}]}
        """.replace("NAME", name).replace("NETWORK", network);
    return new KubernetesSerialization().unmarshal(yaml, GenericKubernetesResource.class);
  }

  private NodeRulesCalculator.Result calculate(GenericKubernetesResource... policies) {
    ClusterSnapshot s = new ClusterSnapshot(
        List.of(pod("shop", "web", "10.1.0.1", "fd00::1", NODE), pod("pay", "api", "10.1.0.2", "fd00::2", NODE)),
        (ns, kind, name) -> Optional.empty(), List.of(), List.of(), List.of(), List.of(),
        List.of(namespace("shop"), namespace("pay")), List.of(), List.of(), List.of(), Mode.LEARN, List.of(policies));
    return new NodeRulesCalculator(NODE, FailsafeBuilder.Config.OFF).calculate(s, new OwnerVersions(), Map.of(), (ip, pod, id) -> { });
  }

  @Test
  void anEnforceablePolicyIsInTheRules() {
    var r = calculate(cnp("no-https-out", "203.0.113.0/24"));
    var verdict = new ConnectionVerdict(r.rules());
    assertFalse(verdict.allows("10.1.0.1", "203.0.113.9", Proto.TCP, 443), "shop's egress is denied");
    assertTrue(verdict.allows("10.1.0.1", "203.0.113.9", Proto.TCP, 80));
    assertTrue(verdict.allows("10.1.0.2", "203.0.113.9", Proto.TCP, 443), "pay is not a subject");
    assertEquals(List.of(), r.problems());
    assertEquals(1, r.from().get("ClusterNetworkPolicy").size(), "convergence can be told per cluster policy");
    // the tiers are IPv4 rules: IPv6 of the pod they restrict must not be a way around them
    assertFalse(verdict.allows("fd00::1", "2001:db8::9", Proto.TCP, 443), "web's IPv6 is closed");
    assertTrue(verdict.allows("fd00::2", "2001:db8::9", Proto.TCP, 443), "api (learn, no policy) stays open on IPv6");
  }

  @Test
  void aPolicyWithABadCidrIsSkippedWholeAndReportedWhileOthersApply() {
    var r = calculate(cnp("bad", "203.0.113.0/99"), cnp("good", "198.51.100.0/24"));
    var verdict = new ConnectionVerdict(r.rules());
    assertTrue(verdict.allows("10.1.0.1", "203.0.113.9", Proto.TCP, 443), "nothing of the bad policy applies");
    assertFalse(verdict.allows("10.1.0.1", "198.51.100.7", Proto.TCP, 443), "the good one still does");
    assertEquals(1, r.problems().size(), r.problems().toString());
    var p = r.problems().get(0);
    assertEquals("ClusterNetworkPolicy bad", p.where());
    assertTrue(p.message().startsWith("spec.egress[0].to[0].networks[0]: bad CIDR 203.0.113.0/99"), p.message());
  }
}
