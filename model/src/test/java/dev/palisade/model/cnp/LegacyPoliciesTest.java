package dev.palisade.model.cnp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.palisade.model.Protocol;
import dev.palisade.model.cnp.ClusterNetworkPolicy.Action;
import dev.palisade.model.cnp.ClusterNetworkPolicy.PortMatch;
import dev.palisade.model.cnp.ClusterNetworkPolicy.Tier;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class LegacyPoliciesTest {
  @SuppressWarnings("unchecked")
  private static Map<String, Object> parse(String json) {
    return JsonMapper.builder().build().readValue(json, Map.class);
  }

  private static final String ANP = """
      {"apiVersion": "policy.networking.k8s.io/v1alpha1", "kind": "AdminNetworkPolicy", "metadata": {"name": "anp"},
       "spec": {"priority": 9, "subject": {"namespaces": {}},
         "ingress": [{"action": "Allow", "from": [{"namespaces": {}}],
                      "ports": [{"portNumber": {"protocol": "UDP", "port": 53}},
                                {"portRange": {"start": 80, "end": 81}}, {"namedPort": "http"}]}]}}
      """;

  @Test
  void adminNetworkPolicyIsTheAdminTierWithAllowAsAccept() {
    ClusterNetworkPolicy p = ClusterNetworkPolicyReader.read(parse(ANP));
    assertEquals(Tier.ADMIN, p.tier());
    assertEquals(9, p.priority());
    assertEquals(Action.ACCEPT, p.ingress().get(0).action());
    assertEquals(List.of(new PortMatch.Numbered(Protocol.UDP, 53, 53), new PortMatch.Numbered(Protocol.TCP, 80, 81),
        new PortMatch.Named("http")), p.ingress().get(0).ports());
  }

  @Test
  void baselineAdminNetworkPolicyIsTheBaselineTier() {
    ClusterNetworkPolicy p = ClusterNetworkPolicyReader.read(parse("""
        {"apiVersion": "policy.networking.k8s.io/v1alpha1", "kind": "BaselineAdminNetworkPolicy",
         "metadata": {"name": "default"}, "spec": {"subject": {"namespaces": {}},
           "egress": [{"action": "Deny", "to": [{"networks": ["0.0.0.0/0"]}]}]}}
        """));
    assertEquals(Tier.BASELINE, p.tier());
    assertEquals(Action.DENY, p.egress().get(0).action());
  }

  @Test
  void refusalsNameTheV1alpha1Field() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> ClusterNetworkPolicyReader.read(parse(ANP.replace("\"protocol\": \"UDP\"", "\"protocol\": \"ICMP\""))));
    assertEquals("spec.ingress[0].ports[0].portNumber.protocol: must be TCP, UDP or SCTP, not ICMP", e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> ClusterNetworkPolicyReader.read(parse(ANP.replace("\"Allow\"", "\"Accept\""))));
    assertEquals("spec.ingress[0].action: must be Allow, Deny or Pass, not Accept", e.getMessage());
  }
}
