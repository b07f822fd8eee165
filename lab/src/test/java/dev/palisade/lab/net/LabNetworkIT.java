package dev.palisade.lab.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.kernel.netns.NetNs;
import dev.palisade.lab.net.LabNetwork.ServedPort;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import dev.palisade.testkit.KernelTest;

@KernelTest
class LabNetworkIT {
  private static final Duration T = Prober.DEFAULT_TIMEOUT;

  @AfterEach
  void noLeftovers() {
    LabNetwork.reap("tnet");
    assertEquals(List.of(), NetNs.list("pal-tnet-"));
  }

  @Test
  void podsOnTheSameAndOtherNodesReachEachOtherOverTcpAndUdp() {
    try (LabNetwork net = new LabNetwork("tnet", 2)) {
      var ports = List.of(new ServedPort(80, "TCP"), new ServedPort(53, "UDP"));
      var a = net.addPod("x/a", 0, "10.244.1.1", ports);
      var b = net.addPod("x/b", 0, "10.244.1.2", ports);
      var c = net.addPod("y/c", 1, "10.244.1.3", ports); // synthetic IP outside node 1's CIDR
      assertTrue(Prober.probe(a, b.ip(), 80, "TCP", T), "same node TCP");
      assertTrue(Prober.probe(a, c.ip(), 80, "TCP", T), "cross node TCP");
      assertTrue(Prober.probe(c, a.ip(), 53, "UDP", T), "cross node UDP");
      assertFalse(Prober.probe(a, c.ip(), 81, "TCP", T), "a port nobody serves");
      assertFalse(Prober.probe(a, c.ip(), 54, "UDP", T), "a UDP port nobody serves");
    }
  }

  @Test
  void aRemovedPodsIpCanBeReusedByAnotherPod() {
    try (LabNetwork net = new LabNetwork("tnet", 1)) {
      var ports = List.of(new ServedPort(8080, "TCP"));
      var a = net.addPod("x/a", 0, "10.244.0.10", ports);
      net.addPod("x/b", 0, "10.244.0.11", ports);
      net.removePod("x/b");
      assertFalse(Prober.probe(a, "10.244.0.11", 8080, "TCP", T));
      net.addPod("y/new", 0, "10.244.0.11", ports);
      assertTrue(Prober.probe(a, "10.244.0.11", 8080, "TCP", T));
      assertThrows(IllegalArgumentException.class, () -> net.addPod("z/dup", 0, "10.244.0.10", ports));
    }
  }

  @Test
  void badInputIsRefusedWithAClearMessage() {
    try (LabNetwork net = new LabNetwork("tnet", 1)) {
      var e = assertThrows(IllegalArgumentException.class, () -> net.addPod("x/a", 0, "10.244.0.300", List.of()));
      assertTrue(e.getMessage().contains("10.244.0.300"), e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> net.addPod("x/a", 5, "10.244.0.3", List.of()));
    }
    assertThrows(IllegalArgumentException.class, () -> new LabNetwork("Bad Id", 1));
  }
}
