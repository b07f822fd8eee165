package dev.palisade.model.crd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.palisade.model.IdentityPolicy;
import dev.palisade.model.Peer;
import dev.palisade.model.PeerRule;
import dev.palisade.model.PortRange;
import dev.palisade.model.Protocol;
import java.util.List;
import org.junit.jupiter.api.Test;

/** AllowList egress rules naming a DNS peer: read, written back, and refused when malformed. */
class NamePeerRulesTest {
  private static AllowListSpec spec(AllowListSpec.Rule egress, AllowListSpec.Rule ingress) {
    AllowListSpec s = new AllowListSpec();
    s.identity = 300;
    s.mode = "enforce";
    s.egress = egress == null ? List.of() : List.of(egress);
    s.ingress = ingress == null ? List.of() : List.of(ingress);
    return s;
  }

  private static AllowListSpec.Rule rule(String name, String ports) {
    AllowListSpec.Rule r = new AllowListSpec.Rule();
    r.peerName = name;
    r.protocol = "TCP";
    r.ports = ports;
    return r;
  }

  @Test
  void aNameRuleRoundTrips() {
    IdentityPolicy p = AllowListCodec.fromSpec(spec(rule("*.S3.example", "443"), null));
    assertEquals(List.of(new PeerRule(new Peer.OfName("*.s3.example"), Protocol.TCP, PortRange.of(443))), p.egress());
    AllowListSpec back = AllowListCodec.toSpec(p, 4);
    assertEquals("*.s3.example", back.egress.get(0).peerName);
    assertEquals(null, back.egress.get(0).peerCidr);
    assertEquals(p, AllowListCodec.fromSpec(back));
  }

  @Test
  void badNameRulesAreRefusedNamingTheField() {
    AllowListSpec.Rule both = rule("api.example", "443");
    both.peerCidr = "203.0.113.0/24";
    assertEquals("egress[0]: exactly one of peerIdentity, peerCidr and peerName",
        assertThrows(IllegalArgumentException.class, () -> AllowListCodec.fromSpec(spec(both, null))).getMessage());
    AllowListSpec.Rule withId = rule("api.example", "443");
    withId.peerIdentity = 301L;
    assertThrows(IllegalArgumentException.class, () -> AllowListCodec.fromSpec(spec(withId, null)));
    assertEquals("ingress[0].peerName: DNS names are egress peers only", assertThrows(IllegalArgumentException.class,
        () -> AllowListCodec.fromSpec(spec(null, rule("api.example", "443")))).getMessage());
    String bad = assertThrows(IllegalArgumentException.class,
        () -> AllowListCodec.fromSpec(spec(rule("api..example", "443"), null))).getMessage();
    assertEquals(true, bad.startsWith("egress[0].peerName: 'api..example' is not a DNS name"), bad);
    String wide = assertThrows(IllegalArgumentException.class,
        () -> AllowListCodec.fromSpec(spec(rule("api.example", null), null))).getMessage();
    assertEquals(true, wide.startsWith("egress[0].ports: a peerName rule spans at most 64 ports"), wide);
  }
}
