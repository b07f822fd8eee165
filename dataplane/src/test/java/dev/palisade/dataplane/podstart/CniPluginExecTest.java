package dev.palisade.dataplane.podstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The plugin's network configuration as CniPluginExec writes it (no plugin run: PalisadeCniTest runs it). */
class CniPluginExecTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  @ParameterizedTest
  @ValueSource(strings = {
      "",
      "plain",
      "say \"hi\" \\ back\\slash \\\" \\\\u0041",
      "\u0000\u0001\b\t\n\u000b\f\r\u001b\u001f\u007f",
      "caf\u00e9 \u2603 \ud834\udd1e \u4e2d\u6587 \u2028\u2029 \ufeff",
      "</script> / \\/ {\"a\":[1]}"})
  void aStringComesBackAsItWasWritten(String s) {
    String q = CniPluginExec.quoted(s);
    JsonNode n = JSON.readTree(q);
    assertTrue(n.isString(), q);
    assertEquals(s, n.asString(), q);
    assertTrue(q.chars().noneMatch(c -> c < 0x20), () -> "a raw control character in " + q);
  }

  @ParameterizedTest
  @ValueSource(strings = {"pod-start.sock", "a \"quoted\" \\ dir\t\u00e9\u2603/pod-start.sock"})
  void theNetworkConfigurationNamesTheSocketAndTheAddressAsGiven(String socket) {
    Path sock = Path.of("target", socket).toAbsolutePath();
    JsonNode config = JSON.readTree(CniPluginExec.networkConfig(sock, Duration.ofMillis(2500),
        CniPluginExec.prevResult("10.244.0.9")));
    assertEquals(sock.toString(), config.get("socket").asString());
    assertEquals(3, config.get("timeoutSeconds").asInt());
    assertEquals("10.244.0.9/32", config.get("prevResult").get("ips").get(0).get("address").asString());
  }
}
