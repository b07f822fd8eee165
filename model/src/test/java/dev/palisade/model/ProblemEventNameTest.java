package dev.palisade.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The agents' Event names as they were before this class named them (an agent upgraded retells nothing). */
class ProblemEventNameTest {
  @Test
  void theNameIsTheObjectsAndAHashOfTheProblemsPartsJoinedByNul() {
    // SHA-256 of "SegmentationMode\0dev\0dev\0u-1\01\0PalisadeSkipped\0mode: 'enforcing' is not a mode"
    assertEquals("dev.968795e7e81021d2", ProblemEventName.of("dev", "SegmentationMode", "dev", "dev", "u-1", 1L,
        "PalisadeSkipped", "mode: 'enforcing' is not a mode"));
    // nulls as "null"; the name lower-cased, what a DNS subdomain does not take as '-', its ends trimmed
    assertEquals("shop-1.22d3f36701885745", ProblemEventName.of("Shop_1-", "Namespace", null, "Shop_1", null, null,
        "InvalidPalisadeMode", "x"));
    assertEquals("object.22d3f36701885745", ProblemEventName.of("_", "Namespace", null, "Shop_1", null, null,
        "InvalidPalisadeMode", "x"));
  }
}
