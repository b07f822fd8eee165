package dev.palisade.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ModelValidationTest {
  @Test
  void cidrsAreNormalisedAndBadOnesNamed() {
    assertEquals("10.1.0.0/16", Cidr.parse("10.1.2.3/16").toString());
    assertEquals("10.1.2.3/32", Cidr.parse("10.1.2.3").toString());
    assertTrue(Cidr.parse("0.0.0.0/0").contains(Cidr.parseIp("192.168.1.1", "x")));
    for (String bad : List.of("10.1.2/8", "10.1.2.300/8", "10.1.2.3/33", "10.01.2.3/8", "a.b.c.d/8", "10.0.0.0/8/8",
        "10.0.0.0/x")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Cidr.parse(bad));
      assertTrue(e.getMessage().contains(bad), e.getMessage());
    }
  }

  @Test
  void protocolsModesWorkloadsAndFlowsRefuseNonsense() {
    assertEquals(Protocol.TCP, Protocol.parse(null));
    assertEquals(Protocol.UDP, Protocol.parse("udp"));
    assertThrows(IllegalArgumentException.class, () -> Protocol.parse("ICMP"));
    assertEquals(Mode.ENFORCE, Mode.parse("Enforce"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Mode.parse("block")).getMessage().contains("block"));
    assertEquals("shop/Deployment/web", WorkloadRef.parse("shop/Deployment/web").toString());
    assertThrows(IllegalArgumentException.class, () -> WorkloadRef.parse("shop/Secret/web-abc"));
    assertThrows(IllegalArgumentException.class, () -> WorkloadRef.parse("Shop/Deployment/web"));
    assertThrows(IllegalArgumentException.class, () -> new FlowKey(256, 257, Protocol.TCP, 0));
    FlowKey k = new FlowKey(256, 257, Protocol.TCP, 80);
    assertThrows(IllegalArgumentException.class, () -> new FlowRecord(k, 0, 1, 1, List.of(), List.of()));
    assertThrows(IllegalArgumentException.class, () -> new FlowRecord(k, 1, 5, 4, List.of(), List.of()));
    assertThrows(IllegalArgumentException.class, () -> new FlowReport(" ", 1, List.of()));
    assertThrows(IllegalArgumentException.class, () -> new PortRange(90, 80));
  }
}
