package dev.palisade.dataplane.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ResolvedNamesTest {
  @Test
  void namesLiveForTtlPlusGraceAndOnlyForThePodThatResolved() {
    ResolvedNames r = new ResolvedNames(Duration.ofSeconds(30), 10, 100);
    assertEquals(1_000 + 2_000 + 30_000, r.record("10.0.0.5", "api.example", "203.0.113.7", 2, 1_000));
    r.record("10.0.0.5", "alias.example", "203.0.113.7", 100, 1_000);
    assertEquals(Set.of("alias.example", "api.example"), r.namesFor("10.0.0.5", "203.0.113.7", 32_999));
    assertEquals(Set.of("alias.example"), r.namesFor("10.0.0.5", "203.0.113.7", 33_000));
    assertEquals(Set.of(), r.namesFor("10.0.0.6", "203.0.113.7", 2_000), "another pod did not resolve it");
    assertEquals(Set.of(), r.namesFor("10.0.0.5", "203.0.113.8", 2_000));
    r.expire(33_000);
    assertEquals(1, r.size());
  }

  @Test
  void aLaterShorterAnswerDoesNotShortenWhatWasGranted() {
    ResolvedNames r = new ResolvedNames(Duration.ZERO, 10, 100);
    r.record("p", "a.example", "192.0.2.1", 100, 0);
    assertEquals(100_000, r.record("p", "a.example", "192.0.2.1", 1, 0));
  }

  @Test
  void boundsEvictTheOldestOfThePodThenOfAll() {
    ResolvedNames r = new ResolvedNames(Duration.ZERO, 2, 3);
    r.record("p", "a.example", "192.0.2.1", 100, 0);
    r.record("p", "b.example", "192.0.2.2", 100, 0);
    r.record("p", "c.example", "192.0.2.3", 100, 0);
    assertEquals(Set.of(), r.namesFor("p", "192.0.2.1", 1), "per-pod bound evicted the oldest of p");
    r.record("q", "d.example", "192.0.2.4", 100, 0);
    r.record("q", "e.example", "192.0.2.5", 100, 0);
    assertEquals(3, r.size());
    assertEquals(Set.of(), r.namesFor("p", "192.0.2.2", 1), "total bound evicted the oldest of all");
    assertEquals(Set.of("c.example"), r.namesFor("p", "192.0.2.3", 1));
  }

  @Test
  void badBoundsAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new ResolvedNames(Duration.ofSeconds(-1), 1, 1));
    assertThrows(IllegalArgumentException.class, () -> new ResolvedNames(Duration.ZERO, 5, 2));
  }
}
