package dev.palisade.dataplane.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class IpHistoryTest {
  @Test
  void aReusedIpIsCreditedToWhoeverHeldItAtTheFlowsTime() {
    IpHistory h = new IpHistory(60_000);
    h.assign("10.244.0.5", "shop/api-1", 300, 1_000);
    h.release("10.244.0.5", "shop/api-1", 5_000);
    h.assign("10.244.0.5", "shop/db-0", 301, 6_000);
    assertEquals(300, h.at("10.244.0.5", 4_999).orElseThrow().identity());
    assertTrue(h.at("10.244.0.5", 5_500).isEmpty(), "nobody held it in between");
    assertEquals(301, h.at("10.244.0.5", 6_000).orElseThrow().identity());
    assertEquals("shop/db-0", h.current("10.244.0.5").orElseThrow().pod());
  }

  @Test
  void aNewPodTakingAnIpEndsTheOldTenancyEvenIfItsDeletionComesLater() {
    IpHistory h = new IpHistory(60_000);
    h.assign("10.244.0.5", "a/old", 300, 1_000);
    h.assign("10.244.0.5", "b/new", 400, 2_000);
    h.release("10.244.0.5", "a/old", 3_000); // late deletion event: must not end b/new
    assertEquals(300, h.at("10.244.0.5", 1_500).orElseThrow().identity());
    assertEquals(400, h.at("10.244.0.5", 2_500).orElseThrow().identity());
    assertEquals(400, h.current("10.244.0.5").orElseThrow().identity());
  }

  @Test
  void endedTenanciesExpireAfterTheRetention() {
    IpHistory h = new IpHistory(1_000);
    h.assign("10.244.0.5", "a/p", 300, 0);
    h.release("10.244.0.5", "a/p", 100);
    h.assign("10.244.0.6", "a/q", 300, 0);
    h.expire(1_050);
    assertEquals(2, h.size());
    h.expire(1_101);
    assertEquals(1, h.size(), "the live tenancy stays");
    assertThrows(IllegalArgumentException.class, () -> new IpHistory(-1));
  }
}
