package dev.palisade.dataplane.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.dataplane.dns.NameGrants.NameRule;
import dev.palisade.dataplane.render.AllowRect.Proto;
import dev.palisade.dataplane.render.ConnectionVerdict;
import dev.palisade.model.PortRange;
import dev.palisade.model.Protocol;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The fqdn4 set as grants and resolutions make it, as the agent's verdict (tightening) reads it. */
class NameGrantsVerdictTest {
  @Test
  void aPodReachesAnAddressOnlyByANameItResolvedThatIsGrantedAndNotExpired() {
    ResolvedNames names = new ResolvedNames(Duration.ofSeconds(30), 100, 1000);
    names.record("10.244.1.5", "api.payments.example", "203.0.113.7", 60, 1_000_000L);
    names.record("10.244.1.5", "evil.example", "192.0.2.66", 60, 1_000_000L);
    NameGrants grants = NameGrants.of(Map.of("10.244.1.5", List.of(
        new NameRule("api.payments.example", Protocol.TCP, PortRange.of(443)))));
    ConnectionVerdict.Names set = grants.resolvedBy(names, 1_010_000L);
    assertTrue(set.granted("10.244.1.5", "203.0.113.7", Proto.TCP, 443));
    assertFalse(set.granted("10.244.1.5", "203.0.113.7", Proto.TCP, 80));
    assertFalse(set.granted("10.244.1.5", "203.0.113.7", Proto.UDP, 443));
    assertFalse(set.granted("10.244.1.5", "192.0.2.66", Proto.TCP, 443), "resolved, not granted");
    assertFalse(set.granted("10.244.1.6", "203.0.113.7", Proto.TCP, 443), "another pod");
    assertFalse(grants.resolvedBy(names, 1_000_000L + 91_000L).granted("10.244.1.5", "203.0.113.7", Proto.TCP, 443),
        "expired: TTL + grace over");
    assertFalse(NameGrants.NONE.resolvedBy(names, 1_010_000L).granted("10.244.1.5", "203.0.113.7", Proto.TCP, 443),
        "revoked");
    assertEquals(grants, NameGrants.of(Map.of("10.244.1.5", List.of(
        new NameRule("api.payments.example", Protocol.TCP, PortRange.of(443))))), "grants compare by value");
  }
}
