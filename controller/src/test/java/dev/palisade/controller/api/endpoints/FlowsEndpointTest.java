package dev.palisade.controller.api.endpoints;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.controller.api.Router;
import dev.palisade.controller.ingest.FlowIntake;
import dev.palisade.controller.ingest.FlowVetting;
import dev.palisade.controller.metrics.ControllerMetrics;
import dev.palisade.model.FlowKey;
import dev.palisade.model.FlowRecord;
import dev.palisade.model.FlowReport;
import dev.palisade.model.Protocol;
import dev.palisade.model.json.FlowReportJson;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FlowsEndpointTest {
  private static final long NOW = 1_732_440_000_000L;
  /** What the fake intake was handed: the report and the time it was vetted at. */
  private final List<Object[]> ingested = new ArrayList<>();
  private FlowIntake.Ingested answer = new FlowIntake.Ingested(new FlowVetting.Verdict(List.of(), Map.of()), 0);
  private final EmbeddedApi api = new EmbeddedApi(new FlowsEndpoint((report, now) -> {
    ingested.add(new Object[] {report, now});
    return answer;
  }, new ControllerMetrics(), () -> NOW).addTo(new Router()));

  private static FlowRecord record(int port) {
    return new FlowRecord(new FlowKey(300, 301, Protocol.TCP, port, null), 3, NOW - 5000, NOW - 1000,
        List.of("shop/web-1"), List.of("shop/db-0"));
  }

  private static String report(String node, FlowRecord... records) {
    return FlowReportJson.write(new FlowReport(node, 7, List.of(records)));
  }

  @Test
  void aReportOfTheCallersNodeIsIngestedAndAnsweredWithTheIntakesCounts() {
    answer = new FlowIntake.Ingested(new FlowVetting.Verdict(List.of(record(8080), record(8081)),
        Map.of(FlowVetting.Reason.STALE, 1)), 1);
    var r = api.send("POST", "/v1/flows", api.agentA, report("node-a", record(8080), record(8081), record(8082)));
    assertEquals(200, r.status(), r.body());
    assertEquals("application/json", r.contentType());
    assertEquals("{\"accepted\":2,\"refused\":1,\"newEdges\":1}", r.body());
    assertEquals(1, ingested.size());
    FlowReport got = (FlowReport) ingested.get(0)[0];
    assertEquals("node-a", got.node());
    assertEquals(List.of(8080, 8081, 8082), got.flows().stream().map(f -> f.key().port()).toList());
    assertEquals(NOW, ingested.get(0)[1], "vetted against the endpoint's clock");
  }

  @Test
  void aMalformedReportIs400NamingTheFieldAndNeverReachesTheIntake() {
    String badPort = report("node-a", record(8080)).replace("\"port\":8080", "\"port\":70000");
    var r = api.send("POST", "/v1/flows", api.agentA, badPort);
    assertEquals(400, r.status(), r.body());
    assertTrue(r.body().contains("flows[0].") && r.body().contains("port"), r.body());
    r = api.send("POST", "/v1/flows", api.agentA, "{\"node\":\"node-a\",\"sequence\":1,\"flow\":[]}");
    assertEquals(400, r.status(), r.body());
    assertTrue(r.body().contains("flow"), r.body());
    r = api.send("POST", "/v1/flows", api.agentA, "not json");
    assertEquals(400, r.status(), r.body());
    assertTrue(r.body().contains("flow report is not JSON"), r.body());
    assertTrue(ingested.isEmpty(), "nothing malformed reaches the graph");
  }

  @Test
  void anAgentReportingAnotherNodesFlowsIs403() {
    var r = api.send("POST", "/v1/flows", api.agentA, report("node-b", record(8080)));
    assertEquals(403, r.status(), r.body());
    assertEquals("{\"error\":\"agent node-a may only report flows of its own node, not node-b\"}", r.body());
    assertTrue(ingested.isEmpty());
  }

  @Test
  void withoutATokenOrAsAnotherRoleTheReportIsRefused() {
    String body = report("node-a", record(8080));
    var r = api.send("POST", "/v1/flows", null, body);
    assertEquals(401, r.status(), r.body());
    assertEquals("{\"error\":\"missing bearer token\"}", r.body());
    assertEquals(401, api.send("POST", "/v1/flows", "a-token-nobody-was-ever-given", body).status());
    r = api.send("POST", "/v1/flows", api.viewer, body);
    assertEquals(403, r.status(), "a viewer cannot report flows");
    assertTrue(r.body().contains("needs agent"), r.body());
    assertEquals(403, api.send("POST", "/v1/flows", api.approver, body).status(), "nor can an approver");
    assertEquals(405, api.send("GET", "/v1/flows", api.viewer, "").status());
    assertTrue(ingested.isEmpty());
  }
}
