package dev.palisade.model.cnp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.model.Cidr;
import dev.palisade.model.Protocol;
import dev.palisade.model.cnp.ClusterNetworkPolicy.Action;
import dev.palisade.model.cnp.ClusterNetworkPolicy.Peer;
import dev.palisade.model.cnp.ClusterNetworkPolicy.PortMatch;
import dev.palisade.model.cnp.ClusterNetworkPolicy.Tier;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class ClusterNetworkPolicyReaderTest {
  private static final String GOOD = """
      {"apiVersion": "policy.networking.k8s.io/v1alpha2", "kind": "ClusterNetworkPolicy",
       "metadata": {"name": "guard"},
       "spec": {"tier": "Admin", "priority": 5,
         "subject": {"pods": {"namespaceSelector": {"matchLabels": {"team": "shop"}},
                              "podSelector": {"matchExpressions": [{"key": "app", "operator": "In", "values": ["web"]}]}}},
         "ingress": [{"name": "deny-y", "action": "Deny", "from": [{"namespaces": {"matchLabels": {"ns": "y"}}}],
                      "protocols": [{"tcp": {"destinationPort": {"number": 80}}},
                                    {"udp": {"destinationPort": {"range": {"start": 5000, "end": 5010}}}},
                                    {"sctp": {}}, {"destinationNamedPort": "serve-81"}]}],
         "egress": [{"action": "Pass", "to": [{"networks": ["10.0.0.0/8", "192.168.1.7/32"]}]}]}}
      """;

  @SuppressWarnings("unchecked")
  private static Map<String, Object> parse(String json) {
    return JsonMapper.builder().build().readValue(json, Map.class);
  }

  private static String refusal(String json) {
    return assertThrows(IllegalArgumentException.class, () -> ClusterNetworkPolicyReader.read(parse(json))).getMessage();
  }

  @Test
  void readsEveryShapeOfSubjectPeerAndPort() {
    ClusterNetworkPolicy p = ClusterNetworkPolicyReader.read(parse(GOOD));
    assertEquals("guard", p.name());
    assertEquals(Tier.ADMIN, p.tier());
    assertEquals(5, p.priority());
    assertEquals(Map.of("team", "shop"), p.subject().namespaces().getMatchLabels());
    assertEquals("app", p.subject().pods().getMatchExpressions().get(0).getKey());
    var in = p.ingress().get(0);
    assertEquals(Action.DENY, in.action());
    assertEquals("deny-y", in.name());
    Peer.Pods peer = (Peer.Pods) in.peers().get(0);
    assertNull(peer.selection().pods(), "a namespaces peer holds every pod of those namespaces");
    assertEquals(List.of(new PortMatch.Numbered(Protocol.TCP, 80, 80),
        new PortMatch.Numbered(Protocol.UDP, 5000, 5010), new PortMatch.Numbered(Protocol.SCTP, 0, 65535),
        new PortMatch.Named("serve-81")), in.ports());
    assertEquals(new Peer.Networks(List.of(Cidr.parse("10.0.0.0/8"), Cidr.parse("192.168.1.7/32"))),
        p.egress().get(0).peers().get(0));
    assertEquals(Action.PASS, p.egress().get(0).action());
  }

  @Test
  void refusesABadCidrNamingTheField() {
    String m = refusal(GOOD.replace("10.0.0.0/8", "10.0.0.0/33"));
    assertTrue(m.startsWith("spec.egress[0].to[0].networks[0]: bad CIDR 10.0.0.0/33"), m);
    m = refusal(GOOD.replace("10.0.0.0/8", "10.0.0.1/8"));
    assertTrue(m.contains("networks[0]") && m.contains("host bits"), m);
    m = refusal(GOOD.replace("10.0.0.0/8", "fd00::/8"));
    assertTrue(m.startsWith("spec.egress[0].to[0].networks[0]: IPv6"), m);
  }

  @Test
  void refusesUnknownFieldsAndUnsupportedPeers() {
    assertEquals("spec.ingress[0].protocols[0].tcp.destinationPort.nmber: unknown field",
        refusal(GOOD.replace("\"number\": 80", "\"nmber\": 80")));
    assertEquals("spec.colour: unknown field", refusal(GOOD.replace("\"tier\"", "\"colour\": 1, \"tier\"")));
    assertEquals("spec.egress[0].to[0].nodes: not supported by Palisade (the policy is skipped whole)",
        refusal(GOOD.replace("\"networks\": [\"10.0.0.0/8\", \"192.168.1.7/32\"]", "\"nodes\": {}")));
    assertEquals("spec.ingress[0].to: unknown field", refusal(GOOD.replace("\"from\"", "\"to\"")));
  }

  @Test
  void refusesBadValuesNamingTheField() {
    assertEquals("spec.tier: must be Admin or Baseline, not Middle", refusal(GOOD.replace("\"Admin\"", "\"Middle\"")));
    assertEquals("spec.priority: must be 0..1000, not 1001", refusal(GOOD.replace("\"priority\": 5", "\"priority\": 1001")));
    assertEquals("spec.ingress[0].action: must be Accept, Deny or Pass, not Allow",
        refusal(GOOD.replace("\"Deny\"", "\"Allow\"")));
    assertEquals("spec.ingress[0].protocols[0].tcp.destinationPort.number: must be 1..65535, not 0",
        refusal(GOOD.replace("\"number\": 80", "\"number\": 0")));
    assertEquals("spec.subject: must set exactly one of namespaces or pods",
        refusal(GOOD.replace("\"subject\": {", "\"subject\": {\"namespaces\": {}, ")));
  }
}
