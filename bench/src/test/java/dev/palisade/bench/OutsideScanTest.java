package dev.palisade.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.model.Cidr;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The scan's addresses: distinct, inside the blackholed range, spread over many blocks. */
class OutsideScanTest {
  @Test
  void fiftyThousandAddressesAreDistinctAndInTheRangeAndSpread() {
    Cidr range = Cidr.parse(OutsideScan.RANGE);
    Set<String> seen = new HashSet<>();
    Set<String> slash24s = new HashSet<>();
    for (int n = 0; n < 50_000; n++) {
      String a = OutsideScan.address(n);
      assertTrue(range.contains(Cidr.parseIp(a, "scan address")), a + " is outside " + OutsideScan.RANGE);
      seen.add(a);
      slash24s.add(a.substring(0, a.lastIndexOf('.')));
    }
    assertEquals(50_000, seen.size());
    assertTrue(slash24s.size() > 10_000, slash24s.size() + " /24s: a scan this wide must be summarized");
  }

  @Test
  void anIndexPastTheRangeIsRefusedByName() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OutsideScan.address(1 << 22));
    assertTrue(e.getMessage().contains("scan index"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> OutsideScan.address(-1));
  }
}
