package dev.palisade.lab.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ClusterIpAllocatorTest {
  @Test
  void ordinaryServicesSkipTheAddressesHeldForTheApiServerAndDns() {
    assertEquals(Optional.of("10.96.0.2"), ClusterIpAllocator.allocate("shop/web", Set.of()));
    assertEquals(Optional.of("10.96.0.11"), ClusterIpAllocator.allocate("shop/web",
        Set.of("10.96.0.2", "10.96.0.3", "10.96.0.4", "10.96.0.5", "10.96.0.6", "10.96.0.7", "10.96.0.8", "10.96.0.9")));
    assertEquals(Optional.of("10.96.1.0"), ClusterIpAllocator.allocate("shop/web", used(2, 255)));
  }

  @Test
  void theApiServerAndDnsGetTheirOwnAddressUnlessTaken() {
    assertEquals(Optional.of("10.96.0.1"), ClusterIpAllocator.allocate("default/kubernetes", Set.of("10.96.0.2")));
    assertEquals(Optional.of("10.96.0.10"), ClusterIpAllocator.allocate("kube-system/kube-dns", Set.of()));
    assertEquals(Optional.of("10.96.0.2"), ClusterIpAllocator.allocate("kube-system/kube-dns", Set.of("10.96.0.10")));
  }

  @Test
  void headlessAndExternalNameServicesGetNone() {
    assertFalse(ClusterIpAllocator.needsOne("ClusterIP", "None"));
    assertFalse(ClusterIpAllocator.needsOne("ExternalName", null));
    assertFalse(ClusterIpAllocator.needsOne("ClusterIP", "10.96.5.5"));
    assertTrue(ClusterIpAllocator.needsOne("NodePort", ""));
    assertTrue(ClusterIpAllocator.needsOne(null, null));
  }

  private static Set<String> used(int from, int to) {
    java.util.Set<String> s = new java.util.HashSet<>();
    for (int i = from; i <= to; i++) {
      s.add("10.96.0." + i);
    }
    return s;
  }
}
