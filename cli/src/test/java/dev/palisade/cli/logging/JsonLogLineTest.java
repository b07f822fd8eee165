package dev.palisade.cli.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class JsonLogLineTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  @Test
  void oneEventIsOneLineOfJsonWithItsFields() {
    String line = JsonLogLine.format(Instant.parse("2026-11-30T12:00:00.123Z"), Level.WARN, "dev.palisade.X", "main",
        "quote \" and\nnewline", null);
    assertFalse(line.contains("\n"), line);
    JsonNode o = JSON.readTree(line);
    assertEquals("2026-11-30T12:00:00.123Z", o.path("time").asString());
    assertEquals("WARN", o.path("level").asString());
    assertEquals("dev.palisade.X", o.path("logger").asString());
    assertEquals("main", o.path("thread").asString());
    assertEquals("quote \" and\nnewline", o.path("message").asString());
    assertTrue(o.path("exception").isMissingNode());
  }

  @Test
  void anExceptionKeepsItsTraceInOneField() {
    String line = JsonLogLine.format(Instant.EPOCH, Level.ERROR, "x", "t", "failed", new IOException("disk gone"));
    assertFalse(line.contains("\n"), line);
    String trace = JSON.readTree(line).path("exception").asString();
    assertTrue(trace.startsWith("java.io.IOException: disk gone") && trace.contains("\tat "), trace);
  }

  @Test
  void formatsAreTextOrJson() {
    assertTrue(LogFormat.isJson("json"));
    assertTrue(LogFormat.isJson(" JSON "));
    assertFalse(LogFormat.isJson("text"));
    assertFalse(LogFormat.isJson(null));
    assertFalse(LogFormat.isJson(""));
    var e = assertThrows(IllegalArgumentException.class, () -> LogFormat.isJson("xml"));
    assertTrue(e.getMessage().contains("PALISADE_LOG_FORMAT") && e.getMessage().contains("'xml'"), e.getMessage());
  }
}
