package dev.palisade.controller.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.controller.MockApiServer;
import dev.palisade.controller.api.Principal;
import dev.palisade.controller.api.Role;
import dev.palisade.controller.api.StaticTokens;
import dev.palisade.controller.service.PalisadeController;
import dev.palisade.dataplane.metrics.MetricsServer;
import dev.palisade.dataplane.metrics.ScrapedSamples;
import dev.palisade.model.Mode;
import dev.palisade.model.crd.WorkloadIdentity;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The controller's families move as its API is used: a flow report ingested, refused ones by
 * reason, an authentication failure, a decision, a publish, the graph's edges by status and class,
 * all read back from its metrics port as Prometheus would.
 */
@MockApiServer
class ControllerMetricsTest {
  KubernetesClient client;

  private final StaticTokens tokens = new StaticTokens();
  private final String agent = tokens.issue(new Principal("lab-node-0", Role.AGENT));
  private final String approver = tokens.issue(new Principal("alice", Role.APPROVER));
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void countersMoveAsTheApiIsUsedAndTheGraphIsReadWhenScraped() throws Exception {
    for (String name : new String[] {"web", "api"}) {
      client.pods().inNamespace("shop").resource(new PodBuilder().withMetadata(new ObjectMetaBuilder()
          .withNamespace("shop").withName(name).build()).withNewSpec().withNodeName("lab-node-0").endSpec().build()).create();
    }
    ControllerMetrics metrics = new ControllerMetrics();
    metrics.leader(true);
    try (PalisadeController c = new PalisadeController(client, tokens, Mode.LEARN).metrics(metrics);
        MetricsServer port = MetricsServer.start("127.0.0.1", 0, metrics.registry(), () -> true)) {
      c.start("127.0.0.1", 0, Duration.ofSeconds(20));
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (client.resources(WorkloadIdentity.class).inNamespace("shop").list().getItems().size() < 2) {
        assertTrue(System.nanoTime() < deadline, "no identities");
        Thread.sleep(20);
      }
      long web = client.resources(WorkloadIdentity.class).inNamespace("shop").withName("pod-web").get().getSpec().id;
      long api = client.resources(WorkloadIdentity.class).inNamespace("shop").withName("pod-api").get().getSpec().id;
      String api0 = "http://127.0.0.1:" + c.port();
      String report = "{\"node\":\"lab-node-0\",\"sequence\":1,\"flows\":[{\"src\":" + web + ",\"dst\":" + api
          + ",\"protocol\":\"TCP\",\"port\":9090,\"count\":3,\"first\":" + (System.currentTimeMillis() - 1000) + ",\"last\":" + System.currentTimeMillis()
          + ",\"srcPods\":[\"shop/web\"]}]}";
      assertEquals(401, post(api0 + "/v1/flows", "forged", report).statusCode());
      assertEquals(400, post(api0 + "/v1/flows", agent, "{\"node\":").statusCode());
      assertEquals(403, post(api0 + "/v1/flows", approver, report).statusCode());
      assertEquals(200, post(api0 + "/v1/flows", agent, report).statusCode());
      assertEquals(404, post(api0 + "/no/such/route/42", agent, "").statusCode());
      ScrapedSamples s = scrape(port);
      assertEquals(1, s.sum("palisade_controller_flow_records_ingested_total"));
      assertEquals(1, s.sum("palisade_controller_flow_reports_refused_total", Map.of("reason", "malformed")));
      assertEquals(1, s.sum("palisade_controller_flow_reports_refused_total", Map.of("reason", "unauthenticated")));
      assertEquals(1, s.sum("palisade_controller_flow_reports_refused_total", Map.of("reason", "forbidden")));
      assertEquals(1, s.sum("palisade_controller_authentication_failures_total"));
      assertEquals(1, s.sum("palisade_controller_api_requests_total",
          Map.of("route", "POST /v1/flows", "code", "200")));
      assertEquals(1, s.sum("palisade_controller_api_requests_total", Map.of("route", "POST unmatched")),
          "an unknown path is one label, not its own");
      assertEquals(1, s.sum("palisade_controller_graph_edges", Map.of("status", "learned", "class", "service")));
      assertEquals(1, s.sum("palisade_controller_leader"));
      double revision = s.sum("palisade_controller_allowlist_revision");

      assertEquals(200, post(api0 + "/v1/review", approver, "{\"status\":\"approved\",\"all\":true}").statusCode());
      s = scrape(port);
      assertEquals(1, s.sum("palisade_controller_decisions_total", Map.of("action", "approved")));
      assertEquals(1, s.sum("palisade_controller_graph_edges", Map.of("status", "approved")));
      assertEquals(0, s.sum("palisade_controller_graph_edges", Map.of("status", "learned")));
      assertTrue(s.sum("palisade_controller_allowlist_revision") > revision, "an approval publishes a new revision");
      assertTrue(s.sum("palisade_controller_publish_duration_seconds_count") >= 1);
      assertTrue(s.has("jvm_threads_live_threads") || s.has("jvm_threads_current"), s.names().toString());
    }
  }

  @Test
  void aRefusedFlowReportIsNamedByTheStatusItGot() {
    assertEquals("malformed", ControllerMetrics.refusal(400));
    assertEquals("malformed", ControllerMetrics.refusal(413));
    assertEquals("unauthenticated", ControllerMetrics.refusal(401));
    assertEquals("busy", ControllerMetrics.refusal(503));
    ControllerMetrics m = new ControllerMetrics();
    m.answered("GET", "/v1/graph", 401);
    m.answered("POST", "/v1/flows", 200);
    ScrapedSamples s = ScrapedSamples.of(m.registry());
    assertEquals(1, s.sum("palisade_controller_authentication_failures_total"));
    assertEquals(0, s.sum("palisade_controller_flow_reports_refused_total"), "only refused flow reports count");
  }

  private ScrapedSamples scrape(MetricsServer port) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port.port()
        + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode());
    return ScrapedSamples.parse(r.body());
  }

  private HttpResponse<String> post(String url, String token, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
