package dev.palisade.lab.net;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RestartBackoffTest {
  @Test
  void doublesFromOneSecondToThirtyAndStartsOverAfterAMinuteOfRunning() {
    RestartBackoff b = new RestartBackoff();
    List<Long> waits = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      waits.add(b.after(Duration.ofMillis(10)).toSeconds());
    }
    assertEquals(List.of(1L, 2L, 4L, 8L, 16L, 30L, 30L), waits);
    assertEquals(1, b.after(Duration.ofSeconds(61)).toSeconds(), "a run of over a minute resets the back-off");
    assertEquals(2, b.after(Duration.ofSeconds(5)).toSeconds());
  }
}
