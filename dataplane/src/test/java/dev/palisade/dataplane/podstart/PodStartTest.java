package dev.palisade.dataplane.podstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PodStartTest {
  @Test
  void aWellFormedLineIsReadBackAsSent() {
    PodStart p = PodStart.parse("shop web-7d9f-abcde 10.244.1.17");
    assertEquals(new PodStart("shop", "web-7d9f-abcde", "10.244.1.17"), p);
    assertEquals("shop web-7d9f-abcde 10.244.1.17", p.line());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "shop web|expected",
      "shop web 10.0.0.1 extra|expected",
      "shop  web 10.0.0.1|expected",
      "Shop web 10.0.0.1|namespace",
      "-shop web 10.0.0.1|namespace",
      "shop Web 10.0.0.1|name",
      "shop web_1 10.0.0.1|name",
      "shop web 10.0.0.256|ip",
      "shop web 10.0.0.01|ip",
      "shop web 10.0.0|ip",
      "shop web fd00::1|ip",
      "shop web localhost|ip",
      "'shop web 10.0.0.1\t'|ip"})
  void anythingElseIsRefusedNamingTheField(String line, String field) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PodStart.parse(line));
    assertTrue(e.getMessage().startsWith(field), field + " expected first in: " + e.getMessage());
  }

  @Test
  void namesPastTheirLimitsAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new PodStart("a".repeat(64), "web", "10.0.0.1"));
    assertThrows(IllegalArgumentException.class, () -> new PodStart("shop", "a".repeat(254), "10.0.0.1"));
    new PodStart("a".repeat(63), "a".repeat(253), "10.0.0.1"); // at the limits: fine
  }
}
