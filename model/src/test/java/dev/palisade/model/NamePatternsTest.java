package dev.palisade.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class NamePatternsTest {
  @Test
  void exactNamesMatchWithoutCaseOrTrailingDot() {
    String p = NamePatterns.checkPattern("API.payments.example.");
    assertEquals("api.payments.example", p);
    assertTrue(NamePatterns.matches(p, "api.Payments.example."));
    assertFalse(NamePatterns.matches(p, "x.api.payments.example"));
  }

  @Test
  void aStarIsOneOrMoreLeadingLabels() {
    String p = NamePatterns.checkPattern("*.s3.example");
    assertTrue(NamePatterns.matches(p, "a.s3.example"));
    assertTrue(NamePatterns.matches(p, "a.b.s3.example"));
    assertFalse(NamePatterns.matches(p, "s3.example"));
    assertFalse(NamePatterns.matches(p, "evils3.example"));
  }

  @Test
  void badPatternsAreRefusedNamingThem() {
    for (String bad : new String[] {"", "localhost", "a..example", "*", "*.example.*", "a*.example", "-a.example",
        "a b.example", "x.*.example"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NamePatterns.checkPattern(bad),
          bad);
      assertTrue(e.getMessage().contains(bad.isEmpty() ? "empty" : bad), e.getMessage());
    }
  }
}
