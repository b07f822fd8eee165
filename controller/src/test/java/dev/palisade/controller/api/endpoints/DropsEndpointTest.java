package dev.palisade.controller.api.endpoints;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.controller.api.Router;
import dev.palisade.controller.api.ViewerReads;
import dev.palisade.controller.events.DropIntake;
import dev.palisade.model.DropEvent;
import dev.palisade.model.Protocol;
import dev.palisade.model.json.DropReportJson;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class DropsEndpointTest {
  private final List<DropReportJson.DropReport> accepted = new ArrayList<>();
  private final EmbeddedApi api = new EmbeddedApi(new DropsEndpoint(new DropsEndpoint.DropLog() {
    @Override
    public void accept(DropReportJson.DropReport report) {
      accepted.add(report);
    }

    @Override
    public DropIntake.Recent recent() {
      return new DropIntake.Recent(accepted.size(), List.of(JsonMapper.builder().build().createObjectNode()
          .put("node", "node-a").put("kind", "enforce")));
    }
  }, ViewerReads.onCallersThread()).addTo(new Router()));

  private static DropEvent drop(int port) {
    return new DropEvent("enforce", "in", 300, 301, Protocol.TCP, port, 1_000, "shop/web-1", "shop/db-0");
  }

  @Test
  void anAgentsOwnDropsAreTakenAndShownToViewers() {
    var r = api.send("POST", "/v1/drops", api.agentA, DropReportJson.write("node-a", List.of(drop(5432), drop(22))));
    assertEquals(200, r.status(), r.body());
    assertEquals("{\"accepted\":2}", r.body());
    assertEquals(List.of(5432, 22), accepted.get(0).events().stream().map(DropEvent::port).toList());
    r = api.send("GET", "/v1/drops", api.viewer, "");
    assertEquals(200, r.status());
    assertEquals("{\"total\":1,\"events\":[{\"node\":\"node-a\",\"kind\":\"enforce\"}]}", r.body());
  }

  @Test
  void anotherNodesDropsAre403AndMalformedOnesAre400NamingTheField() {
    var r = api.send("POST", "/v1/drops", api.agentA, DropReportJson.write("node-b", List.of(drop(5432))));
    assertEquals(403, r.status(), r.body());
    assertEquals("{\"error\":\"agent node-a may only report drops of its own node\"}", r.body());
    r = api.send("POST", "/v1/drops", api.agentA, DropReportJson.write("node-a", List.of(drop(5432)))
        .replace("\"enforce\"", "\"dropped\""));
    assertEquals(400, r.status(), r.body());
    assertTrue(r.body().contains("events[0].") && r.body().contains("kind"), r.body());
    assertTrue(accepted.isEmpty());
  }

  @Test
  void rolesAreThoseOfTheRoutes() {
    assertEquals(401, api.send("GET", "/v1/drops", null, "").status());
    assertEquals(403, api.send("GET", "/v1/drops", api.agentA, "").status(), "agents report drops, not read them");
    assertEquals(403, api.send("POST", "/v1/drops", api.viewer, DropReportJson.write("vera", List.of(drop(1))))
        .status());
    assertTrue(accepted.isEmpty());
  }
}
