package dev.palisade.lab.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.palisade.kernel.nft.FakeNftables;
import java.util.List;
import org.junit.jupiter.api.Test;

class EdgeNatTest {
  @Test
  void masqueradesOnlyNewConnectionsLeavingTheUplinkForTheOutside() {
    String text = EdgeNat.render("uplink", OutsideNetwork.NETS).toString();
    assertEquals(1, text.lines().filter(l -> l.contains("masquerade")).count(), text);
    assertEquals(true, text.contains(
        "add rule ip lab_edge edge_postrouting oifname \"uplink\" ip daddr { 198.51.100.0/24, 203.0.113.0/24 } masquerade"),
        text);
    try (FakeNftables fake = new FakeNftables()) {
      fake.run(EdgeNat.render("uplink", OutsideNetwork.NETS));
      fake.run(EdgeNat.render("uplink", OutsideNetwork.NETS)); // rendered whole: applying twice is the same
    }
  }

  @Test
  void refusesToRenderWithoutNetworks() {
    var e = assertThrows(IllegalArgumentException.class, () -> EdgeNat.render("uplink", List.of()));
    assertEquals("no outside networks to NAT towards", e.getMessage());
  }
}
