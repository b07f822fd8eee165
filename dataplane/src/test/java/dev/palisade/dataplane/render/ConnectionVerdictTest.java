package dev.palisade.dataplane.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.dataplane.render.AllowRect.Proto;
import dev.palisade.dataplane.render.ConnectionVerdict.Side;
import dev.palisade.dataplane.render.ConnectionVerdict.Stage;
import dev.palisade.dataplane.render.ConnectionVerdict.Verdict;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Why a connection passes or not, on the node of {@link RulesetRendererTest#NODE}. */
class ConnectionVerdictTest {
  private final ConnectionVerdict verdict = new ConnectionVerdict(RulesetRendererTest.NODE);

  @ParameterizedTest(name = "{0} -> {1} {2}/{3}: {4} {5} {6}")
  @CsvSource(nullValues = "-", value = {
      // src,            dst,             proto, port, stage,                group, side
      "10.244.0.10,     10.244.0.20,     TCP,  9090, ALLOWED,              -,     -",
      "10.244.0.10,     10.244.0.20,     TCP,  9091, ALLOW_LIST,           300,   EGRESS",
      "10.244.0.13,     10.244.0.20,     TCP,  9090, NETWORK_POLICY,       301,   INGRESS",
      "10.244.0.30,     10.244.0.20,     TCP,  9090, ALLOWED,              -,     -",   // monitor only logs
      "10.8.0.1,        10.244.0.30,     TCP,  5432, ALLOW_LIST,           302,   INGRESS",
      "10.8.0.1,        10.244.0.99,     TCP,  80,   UNRESTRICTED,         -,     -",
      "10.244.0.10,     10.244.0.53,     UDP,  53,   FAILSAFE_DESTINATION, -,     -",   // DNS from an enforced pod
      "10.244.0.10,     10.96.0.10,      TCP,  53,   FAILSAFE_DESTINATION, -,     -",
      "10.244.0.1,      10.244.0.30,     TCP,  8080, FAILSAFE_SOURCE,      -,     -",   // kubelet probe
      "fd00:10:244::14, fd00:10:244::99, TCP,  80,   CLOSED_V6,            -,     EGRESS",
      "fd00:10:244::99, FD00:10:244::1E, TCP,  80,   CLOSED_V6,            -,     INGRESS",
      "fd00:10:244::99, fd00:10:244::98, TCP,  80,   UNRESTRICTED,         -,     -",
  })
  void saysWhichStageDecidedAndWhose(String src, String dst, Proto proto, int port, Stage stage, String group, Side side) {
    Verdict v = verdict.judge(src, dst, proto, port);
    assertEquals(stage, v.stage(), v.explain());
    assertEquals(group, v.group());
    assertEquals(side, v.side());
    assertEquals(v.passes(), verdict.allows(src, dst, proto, port));
  }

  @Test
  void explainsDropsAndWhatMonitorWouldDrop() {
    assertEquals("dropped: no NetworkPolicy allows it (group 301, ingress)",
        verdict.judge("10.244.0.13", "10.244.0.20", Proto.TCP, 9090).explain());
    assertEquals("accepted: allowed by the rules of its restricted end(s); monitor would drop it: pal:monitor:in:301",
        verdict.judge("10.244.0.30", "10.244.0.20", Proto.TCP, 9090).explain());
    assertEquals("dropped: IPv6 to a restricted pod, whose rules are enforced on IPv4 only",
        verdict.judge("fd00::1", "fd00:10:244::1e", Proto.UDP, 53).explain());
  }

  @Test
  void failsafeTrafficNeverInvolvesACutEvenFromAnEnforcedPod() {
    // the bug this class replaced: DNS from an enforced pod was judged by its allow-list alone
    assertTrue(verdict.involvesRestricted("10.244.0.10", "10.244.0.53"));
    assertTrue(verdict.allows("10.244.0.10", "10.244.0.53", Proto.UDP, 53));
    assertFalse(verdict.allows("10.244.0.10", "10.244.0.53", Proto.TCP, 80));
  }

  @Test
  void involvesRestrictedCoversClosedIpv6() {
    assertTrue(verdict.involvesRestricted("fd00:10:244:0::14", "2001:db8::1"));
    assertFalse(verdict.involvesRestricted("fd00:10:244::99", "2001:db8::1"));
    assertFalse(verdict.involvesRestricted("10.8.0.1", "10.244.0.99"));
  }

  @Test
  void badConnectionsAreRefusedNamingWhatIsWrong() {
    var e = assertThrows(IllegalArgumentException.class, () -> verdict.judge("10.244.0.10", "fd00::1", Proto.TCP, 80));
    assertEquals("a connection cannot mix address families: 10.244.0.10 -> fd00::1", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> verdict.judge("fd00::1", "fd00::g", Proto.TCP, 80));
    assertEquals("bad IPv6 address 'fd00::g': 'g' is not a hex digit", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> verdict.judge("10.0.0.1", "10.0.0.2", Proto.TCP, 65536));
    assertEquals("port must be 0..65535: 65536", e.getMessage());
  }
}
