package dev.palisade.lab.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LabLoadBalancerTest {
  @Test
  void theLowestFreeAddressOfThePoolAndAClearErrorWhenItIsFull() {
    assertEquals("198.51.100.200", LabLoadBalancer.allocate(Set.of()));
    assertEquals("198.51.100.202", LabLoadBalancer.allocate(Set.of("198.51.100.200", "198.51.100.201")));
    Set<String> all = new HashSet<>();
    for (int i = LabLoadBalancer.FIRST; i <= LabLoadBalancer.LAST; i++) {
      all.add("198.51.100." + i);
    }
    var e = assertThrows(IllegalStateException.class, () -> LabLoadBalancer.allocate(all));
    assertEquals("no free load-balancer address left in 198.51.100.200-254", e.getMessage());
  }
}
