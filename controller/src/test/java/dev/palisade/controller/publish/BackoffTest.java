package dev.palisade.controller.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {
  @Test
  void doublesFromTheFirstWaitAndStopsAtTheMaximum() {
    Backoff b = Backoff.DEFAULT;
    long[] expectedMs = {100, 200, 400, 800, 1600, 3200, 5000, 5000};
    for (int i = 0; i < expectedMs.length; i++) {
      assertEquals(Duration.ofMillis(expectedMs[i]), b.delay(i + 1), "after failure " + (i + 1));
    }
    assertEquals(Duration.ofSeconds(5), b.delay(Integer.MAX_VALUE), "no overflow after very many failures");
  }

  @Test
  void badSettingsAreRefusedWithTheValues() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)));
    assertTrue(e.getMessage().contains("PT2S") && e.getMessage().contains("PT1S"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ZERO, Duration.ofSeconds(1)));
    assertThrows(IllegalArgumentException.class, () -> Backoff.DEFAULT.delay(0));
  }
}
