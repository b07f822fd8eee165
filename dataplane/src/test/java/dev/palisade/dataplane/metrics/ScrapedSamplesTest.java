package dev.palisade.dataplane.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ScrapedSamplesTest {
  @Test
  void readsNamesEscapedLabelsAndValues() {
    ScrapedSamples s = ScrapedSamples.parse("""
        # HELP x_total a counter
        # TYPE x_total counter
        x_total{kind="a",path="C:\\\\dir \\"q\\""} 2.0
        x_total{kind="b"} 3.0
        up 1
        """);
    assertEquals(5, s.sum("x_total"));
    assertEquals(2, s.sum("x_total", Map.of("path", "C:\\dir \"q\"")));
    assertEquals(1, s.sum("up"));
    assertTrue(s.names().contains("up"));
  }

  @Test
  void aLineThatIsNoSampleIsNamed() {
    var e = assertThrows(IllegalArgumentException.class, () -> ScrapedSamples.parse("ok 1\nbroken{x=1} 2\n"));
    assertTrue(e.getMessage().contains("line 2"), e.getMessage());
  }
}
