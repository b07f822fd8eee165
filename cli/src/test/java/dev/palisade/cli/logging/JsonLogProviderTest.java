package dev.palisade.cli.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * slf4j picks its provider once per JVM, and this one has slf4j-simple: the JSON provider runs in a
 * child JVM ({@link Probe}) with the test classpath, as main selects it.
 */
class JsonLogProviderTest {
  /** Selects the JSON format as Main does, then logs at levels the configuration lets through and not. */
  public static final class Probe {
    public static void main(String[] args) {
      LogFormat.select("json");
      var log = LoggerFactory.getLogger("dev.palisade.probe.Thing");
      log.debug("not shown: dev.palisade is at warn");
      log.warn("peer {} left", "10.0.0.7", new IOException("Connection reset by peer"));
      LoggerFactory.getLogger("dev.palisade.dataplane.agent.NodeAgent").info("first sync in force");
    }
  }

  @Test
  void everyStderrLineIsAJsonEventAtTheConfiguredLevels() throws Exception {
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
        System.getProperty("java.class.path"), Probe.class.getName()).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), err);
    List<String> lines = err.lines().toList();
    assertEquals(2, lines.size(), "the warning and the NodeAgent info, nothing else:\n" + err);
    JsonNode warn = JsonMapper.builder().build().readTree(lines.get(0));
    assertEquals("WARN", warn.path("level").asString());
    assertEquals("peer 10.0.0.7 left", warn.path("message").asString());
    assertTrue(warn.path("exception").asString().startsWith("java.io.IOException: Connection reset by peer"), err);
    JsonNode info = JsonMapper.builder().build().readTree(lines.get(1));
    assertEquals("first sync in force", info.path("message").asString());
    assertEquals("dev.palisade.dataplane.agent.NodeAgent", info.path("logger").asString());
  }
}
