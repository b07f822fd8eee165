package dev.palisade.controller.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TokenBucketTest {
  @Test
  void aBurstThenTheRate() {
    TokenBucket b = new TokenBucket(10, 5, 0);
    int taken = 0;
    while (b.take(0)) {
      taken++;
    }
    assertEquals(5, taken, "the burst");
    assertFalse(b.take(50_000_000), "half a permit after 50 ms at 10/s");
    assertTrue(b.take(100_000_000), "one after 100 ms");
    assertFalse(b.take(100_000_000));
    assertTrue(b.take(10_000_000_000L));
    int later = 1;
    while (b.take(10_000_000_000L)) {
      later++;
    }
    assertEquals(5, later, "saved up to the burst, never more");
  }
}
