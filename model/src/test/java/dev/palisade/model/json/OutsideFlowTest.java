package dev.palisade.model.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.model.FlowKey;
import dev.palisade.model.FlowRecord;
import dev.palisade.model.FlowReport;
import dev.palisade.model.Identities;
import dev.palisade.model.Protocol;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** FlowKey's outside component: only for flows to the world, carried by the flow report codec. */
class OutsideFlowTest {
  @Test
  void outsideIsOnlyForWorldFlowsAndMustBeANameOrAnAddress() {
    assertEquals("dns:api.example", new FlowKey(300, Identities.WORLD, Protocol.TCP, 443, "dns:API.example.").outside());
    assertEquals("203.0.113.7", new FlowKey(300, Identities.WORLD, Protocol.TCP, 443, "203.0.113.7").outside());
    assertEquals(null, new FlowKey(300, 301, Protocol.TCP, 443).outside());
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new FlowKey(300, 301, Protocol.TCP, 443,
        "dns:api.example")).getMessage().contains("only for flows to the world identity"));
    assertThrows(IllegalArgumentException.class, () -> new FlowKey(300, 1, Protocol.TCP, 443, "dns:bad..name"));
    assertThrows(IllegalArgumentException.class, () -> new FlowKey(300, 1, Protocol.TCP, 443, "hello"));
  }

  @Test
  void theReportCarriesOutsideAndReadsItStrictly() {
    FlowRecord world = new FlowRecord(new FlowKey(300, 1, Protocol.TCP, 443, "dns:api.example"), 3, 1000, 2000,
        List.of("shop/web-x"), List.of());
    FlowRecord inside = new FlowRecord(new FlowKey(300, 301, Protocol.TCP, 80), 1, 1000, 2000, List.of(), List.of());
    FlowReport r = new FlowReport("node-0", 1, List.of(world, inside));
    String json = FlowReportJson.write(r);
    assertTrue(json.contains("\"outside\":\"dns:api.example\""), json);
    assertEquals(r, FlowReportJson.read(json.getBytes(StandardCharsets.UTF_8)));
    String bad = json.replace("\"outside\":\"dns:api.example\"", "\"outside\":7");
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> FlowReportJson.read(bad.getBytes(StandardCharsets.UTF_8))).getMessage().startsWith("flows[0].outside"));
    String notWorld = json.replace("\"dst\":1,", "\"dst\":302,");
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> FlowReportJson.read(notWorld.getBytes(StandardCharsets.UTF_8))).getMessage().startsWith("flows[0]."));
  }
}
