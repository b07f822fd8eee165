package dev.palisade.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class AgesTest {
  private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");

  @ParameterizedTest
  @CsvSource({
      "0, 0s", "59, 59s", "119, 119s", "120, 2m", "200, 3m20s", "599, 9m59s", "600, 10m", "10799, 179m",
      "10800, 3h", "12600, 3h30m", "28800, 8h", "172799, 47h", "172800, 2d", "190800, 2d5h", "691200, 8d",
      "63072000, 2y", "67392000, 2y50d", "252460800, 8y"})
  void roundsAsKubectlDoes(long seconds, String expected) {
    assertEquals(expected, Ages.human(Duration.ofSeconds(seconds)));
  }

  @Test
  void saysAgoForThePastAndInForTheFuture() {
    assertEquals("3m20s ago", Ages.ago(NOW.minusSeconds(200), NOW));
    assertEquals("0s ago", Ages.ago(NOW.plusMillis(500), NOW), "a clock a little ahead is now");
    assertEquals("in 2m", Ages.ago(NOW.plusSeconds(120), NOW));
  }

  @Test
  void readsTheApisTwoTimeFormats() {
    assertEquals("5m ago", Ages.agoIso("2026-11-30T11:55:00Z", NOW));
    assertEquals("5m ago", Ages.agoEpochMillis(NOW.minusSeconds(300).toEpochMilli(), NOW));
    assertEquals("-", Ages.agoEpochMillis(0, NOW));
    assertEquals("-", Ages.agoIso("", NOW));
    assertEquals("yesterday-ish", Ages.agoIso("yesterday-ish", NOW), "an unknown format is shown, not hidden");
  }

  @Test
  void aNegativeDurationIsAMistake() {
    assertThrows(IllegalArgumentException.class, () -> Ages.human(Duration.ofSeconds(-5)));
  }
}
