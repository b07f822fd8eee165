package dev.palisade.controller.review;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.controller.MockApiServer;
import dev.palisade.controller.api.Principal;
import dev.palisade.controller.api.Role;
import dev.palisade.controller.api.StaticTokens;
import dev.palisade.controller.service.PalisadeController;
import dev.palisade.model.Mode;
import dev.palisade.model.crd.ReviewAudit;
import dev.palisade.model.crd.ReviewAuditSpec;
import dev.palisade.model.crd.SegmentationMode;
import dev.palisade.model.crd.WorkloadIdentity;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The review API and page assets, against the controller on the fabric8 mock API server (CRUD). */
@MockApiServer
class ReviewEndpointsTest {
  static KubernetesClient client;
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final String EDGE = "{\"from\":\"shop/Pod/web\",\"to\":\"shop/Pod/db\",\"port\":5432,\"protocol\":\"TCP\"}";

  private final StaticTokens tokens = new StaticTokens();
  private final String agent = tokens.issue(new Principal("lab-node-0", Role.AGENT));
  private final String approver = tokens.issue(new Principal("alice", Role.APPROVER));
  private final String viewer = tokens.issue(new Principal("bob", Role.VIEWER));
  private PalisadeController controller;

  @BeforeEach
  void start() throws Exception {
    // modes are only set for namespaces that exist
    client.namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata()
        .withName("shop").endMetadata().build()).createOr(x -> x.update());
    for (String name : new String[] {"web", "db"}) {
      client.pods().inNamespace("shop").resource(new PodBuilder().withMetadata(new ObjectMetaBuilder()
          .withNamespace("shop").withName(name).withLabels(Map.of("app", name)).build()).withNewSpec().withNodeName("lab-node-0").endSpec().build()).createOr(x -> x.update());
    }
    controller = startController();
    report(1, 5432);
  }

  /** The agent reports web -> db flows on the given TCP ports. */
  private void report(long sequence, int... ports) throws Exception {
    long web = id("pod-web");
    long db = id("pod-db");
    StringBuilder flows = new StringBuilder();
    for (int port : ports) {
      flows.append(flows.length() == 0 ? "" : ",").append("{\"src\":").append(web).append(",\"dst\":").append(db)
          .append(",\"protocol\":\"TCP\",\"port\":").append(port).append(",\"count\":2,\"first\":" + (System.currentTimeMillis() - 1000) + ",\"last\":" + System.currentTimeMillis() + ",")
          .append("\"srcPods\":[\"shop/web\"],\"dstPods\":[\"shop/db\"]}");
    }
    HttpResponse<String> r = call("POST", "/v1/flows", agent, "{\"node\":\"lab-node-0\",\"sequence\":" + sequence
        + ",\"flows\":[" + flows + "]}");
    assertEquals(200, r.statusCode(), r.body());
    controller.drain();
  }

  private static String only(int... ports) {
    StringBuilder b = new StringBuilder();
    for (int port : ports) {
      b.append(b.length() == 0 ? "" : ",").append(EDGE.replace("5432", String.valueOf(port)));
    }
    return "[" + b + "]";
  }

  private PalisadeController startController() {
    PalisadeController c = new PalisadeController(client, tokens, Mode.LEARN);
    c.start("127.0.0.1", 0, Duration.ofSeconds(20));
    c.drain();
    return c;
  }

  @AfterEach
  void stop() {
    controller.close();
    // one mock API server serves the whole class: start each test from an empty cluster
    for (Class<? extends io.fabric8.kubernetes.client.CustomResource<?, ?>> kind : java.util.List.of(ReviewAudit.class,
        SegmentationMode.class, WorkloadIdentity.class, dev.palisade.model.crd.LearnedFlows.class,
        dev.palisade.model.crd.AllowList.class, dev.palisade.model.crd.GraphSnapshot.class)) {
      client.resources(kind).inAnyNamespace().list().getItems().forEach(o -> client.resource(o).delete());
    }
    client.pods().inNamespace("shop").delete();
  }

  private long id(String name) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      WorkloadIdentity wi = client.resources(WorkloadIdentity.class).inNamespace("shop").withName(name).get();
      if (wi != null) {
        return wi.getSpec().id;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no identity for " + name);
  }

  private HttpResponse<String> call(String method, String path, String token, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + controller.port() + path))
        .timeout(Duration.ofSeconds(20));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode json(HttpResponse<String> r) {
    assertEquals(200, r.statusCode(), r.body());
    return JSON.readTree(r.body());
  }

  @Test
  void thePageAndItsGraphLibraryAreServedWithoutATokenButNoDataIs() throws Exception {
    HttpResponse<String> page = call("GET", "/", null, null);
    assertEquals(200, page.statusCode());
    assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
    // only its own scripts, never framed: an approve button cannot be clickjacked
    String csp = page.headers().firstValue("Content-Security-Policy").orElse("");
    assertTrue(csp.contains("script-src 'self';") && csp.contains("frame-ancestors 'none'"), csp);
    assertEquals("DENY", page.headers().firstValue("X-Frame-Options").orElse(""));
    assertTrue(!page.body().contains("<script>") && !java.util.regex.Pattern.compile(" on[a-z]+=").matcher(page.body()).find(),
        "no inline script or handlers");
    assertTrue(page.body().contains("/assets/echarts.min.js"));
    HttpResponse<String> lib = call("GET", "/assets/echarts.min.js", null, null);
    assertEquals(200, lib.statusCode());
    assertTrue(lib.body().length() > 500_000, "the ECharts script, not a stub");
    assertTrue(lib.body().contains("version:\"" + PageAssets.ECHARTS + "\""), "the release PageAssets names");
    assertEquals(200, call("GET", "/assets/app.js", null, null).statusCode());
    assertTrue(page.body().contains("/assets/gitops.js"));
    assertTrue(call("GET", "/assets/gitops.js", null, null).body().contains("managed in git by ApprovedGraph"),
        "the dialog for a decision that git owns");
    for (String path : new String[] {"/v1/graph", "/v1/whoami", "/v1/audit", "/v1/modes", "/v1/snapshots",
        "/v1/export/dot", "/v1/export/networkpolicy?namespace=shop"}) {
      assertEquals(401, call("GET", path, null, null).statusCode(), path);
    }
    assertEquals("viewer", json(call("GET", "/v1/whoami", viewer, null)).get("role").asString());
    assertEquals("alice", json(call("GET", "/v1/whoami", approver, null)).get("name").asString());
  }

  @Test
  void aViewerCannotDecideAndDecisionsAreAuditedAcrossARestart() throws Exception {
    assertEquals(403, call("POST", "/v1/review", viewer, "{\"status\":\"approved\",\"only\":[" + EDGE + "]}").statusCode());
    assertEquals(403, call("POST", "/v1/mode", viewer, "{\"namespace\":\"shop\",\"mode\":\"enforce\"}").statusCode());
    assertEquals(403, call("POST", "/v1/snapshots", viewer, "{\"name\":\"s1\"}").statusCode());
    assertEquals(0, json(call("GET", "/v1/audit", viewer, null)).size(), "refusals change nothing");

    json(call("POST", "/v1/review", approver, "{\"status\":\"approved\",\"only\":[" + EDGE + "]}"));
    json(call("POST", "/v1/mode", approver, "{\"namespace\":\"shop\",\"mode\":\"enforce\"}"));
    json(call("POST", "/v1/mode", approver, "{\"namespace\":\"shop\",\"workload\":\"Pod/db\",\"mode\":\"monitor\"}"));
    assertEquals("enforce", client.resources(SegmentationMode.class).inNamespace("shop").withName("namespace").get()
        .getSpec().mode);
    assertEquals("Pod/db", client.resources(SegmentationMode.class).inNamespace("shop").withName("workload-pod-db").get()
        .getSpec().workload);

    JsonNode audit = json(call("GET", "/v1/audit", viewer, null));
    assertEquals(3, audit.size(), audit.toString());
    assertEquals("approve", audit.get(0).get("action").asString());
    assertEquals("alice", audit.get(0).get("who").asString());
    assertEquals("learned", audit.get(0).get("before").asString());
    assertEquals("approved", audit.get(0).get("after").asString());
    assertEquals("shop/Pod/web -> shop/Pod/db 5432/TCP", audit.get(0).get("target").asString());
    assertEquals(1, audit.get(0).get("edges").size(), "a review lists the edges it changed, even one");
    assertEquals("learned", audit.get(0).get("edges").get(0).get("before").asString());
    assertEquals("mode", audit.get(1).get("action").asString());
    assertEquals("(inherited)", audit.get(1).get("before").asString());
    assertEquals("enforce", audit.get(1).get("after").asString());
    assertEquals(3, client.resources(ReviewAudit.class).list().getItems().size(), "one object per entry");

    controller.close();
    controller = startController();
    assertEquals(audit, json(call("GET", "/v1/audit", viewer, null)), "the log outlives the controller");
    json(call("POST", "/v1/mode", approver, "{\"namespace\":\"shop\",\"mode\":\"learn\"}"));
    JsonNode after = json(call("GET", "/v1/audit", viewer, null));
    assertEquals(4, after.get(3).get("seq").asLong(), "numbering continues, nothing overwritten");
    assertEquals("enforce", after.get(3).get("before").asString());
  }

  @Test
  void approvingASelectionIsOneAuditObjectListingEachEdgeWithItsStatusBefore() throws Exception {
    report(2, 6379, 8080, 9090);
    json(call("POST", "/v1/review", approver, "{\"status\":\"rejected\",\"only\":" + only(8080) + "}"));
    Map<String, String> statusBefore = new HashMap<>();
    for (JsonNode e : json(call("GET", "/v1/graph", viewer, null)).get("edges")) {
      statusBefore.put(e.get("source").asString() + " -> " + e.get("destination").asString() + " "
          + e.get("port").asInt() + "/" + e.get("protocol").asString(), e.get("status").asString());
    }
    statusBefore.keySet().removeIf(edge -> edge.endsWith(" 9090/TCP")); // not in the selection
    int objectsBefore = client.resources(ReviewAudit.class).list().getItems().size();

    JsonNode r = json(call("POST", "/v1/review", approver, "{\"status\":\"approved\",\"only\":" + only(5432, 6379, 8080)
        + "}"));
    assertEquals(3, r.get("changed").asInt(), r.toString());

    List<ReviewAudit> objects = client.resources(ReviewAudit.class).list().getItems();
    assertEquals(objectsBefore + 1, objects.size(), "one object for the decision, not one per edge");
    ReviewAuditSpec decision = objects.stream().map(ReviewAudit::getSpec)
        .max(Comparator.comparingLong(a -> a.seq)).orElseThrow();
    assertEquals("approve", decision.action);
    assertEquals("approved", decision.after);
    assertEquals("3 edges", decision.target);
    Map<String, String> listed = new HashMap<>();
    decision.edges.forEach(e -> listed.put(e.edge, e.before));
    assertEquals(statusBefore, listed, "each selected edge and no other, with the status it had before");
    assertEquals(2, Set.copyOf(listed.values()).size(), "one was rejected, two learned");
    assertEquals("(mixed)", decision.before);

    JsonNode last = json(call("GET", "/v1/audit", viewer, null)).get(1);
    assertEquals(decision.seq, last.get("seq").asLong());
    assertEquals(3, last.get("edges").size(), "the API shows the edges of the decision");
  }

  @Test
  void badModeRequestsAreRefusedByNameAndWriteNothing() throws Exception {
    String[] bad = {"{\"namespace\":\"shop\",\"mode\":\"block\"}", "{\"namespace\":\"Shop!\",\"mode\":\"enforce\"}",
        "{\"namespace\":\"shop\",\"workload\":\"Service/db\",\"mode\":\"enforce\"}", "[]", "not json"};
    String[] says = {"mode: must be learn, monitor or enforce, not \\\"block\\\"", "namespace: 'Shop!'",
        "workload: 'Service/db'", "body must be an object", "body is not JSON"};
    for (int i = 0; i < bad.length; i++) {
      HttpResponse<String> r = call("POST", "/v1/mode", approver, bad[i]);
      assertEquals(400, r.statusCode(), bad[i]);
      assertTrue(r.body().contains(says[i]), r.body());
    }
    assertTrue(client.resources(SegmentationMode.class).inAnyNamespace().list().getItems().isEmpty());
    assertEquals(0, json(call("GET", "/v1/audit", viewer, null)).size());
  }

  /** Waits until the controller's view of the modes (GET /v1/modes) holds {@code name}. */
  private void seesMode(String name) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!call("GET", "/v1/modes", viewer, null).body().contains("\"name\":\"" + name + "\"")) {
      assertTrue(System.nanoTime() < deadline, "the controller never saw SegmentationMode " + name);
      Thread.sleep(20);
    }
  }

  /** POST /v1/mode, sent again while the controller has not seen the workload yet (404): its status. */
  private int modeOnceKnown(String body) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    HttpResponse<String> r = call("POST", "/v1/mode", approver, body);
    while (r.statusCode() == 404 && System.nanoTime() < deadline) {
      Thread.sleep(20);
      r = call("POST", "/v1/mode", approver, body);
    }
    return r.statusCode();
  }

  private Map<String, String> workloadByModeObject() {
    Map<String, String> out = new java.util.TreeMap<>();
    client.resources(SegmentationMode.class).inNamespace("shop").list().getItems()
        .forEach(m -> out.put(m.getMetadata().getName(), m.getSpec().workload + "=" + m.getSpec().mode));
    return out;
  }

  @Test
  void aModeNeverLandsOnAnObjectThatSetsAnotherWorkload() throws Exception {
    for (String name : new String[] {"web.v2", "web-v2"}) {
      client.pods().inNamespace("shop").resource(new PodBuilder().withMetadata(new ObjectMetaBuilder()
          .withNamespace("shop").withName(name).build()).withNewSpec().withNodeName("lab-node-0").endSpec().build())
          .create();
    }
    // web.v2 and web-v2 were one object name ('.' became '-'): the second overwrote the first's mode
    assertEquals(200, modeOnceKnown("{\"namespace\":\"shop\",\"workload\":\"Pod/web.v2\",\"mode\":\"enforce\"}"));
    assertEquals(200, modeOnceKnown("{\"namespace\":\"shop\",\"workload\":\"Pod/web-v2\",\"mode\":\"learn\"}"));
    assertEquals(Map.of("workload-pod-web.v2", "Pod/web.v2=enforce", "workload-pod-web-v2", "Pod/web-v2=learn"),
        workloadByModeObject());

    // kubectl wrote db's mode under a name of its own: that object is changed, no second one made
    SegmentationMode own = new SegmentationMode();
    own.setMetadata(new ObjectMetaBuilder().withNamespace("shop").withName("db-mode").build());
    own.setSpec(new dev.palisade.model.crd.SegmentationModeSpec());
    own.getSpec().workload = "Pod/db";
    own.getSpec().mode = "monitor";
    client.resource(own).create();
    seesMode("db-mode");
    assertEquals(200, call("POST", "/v1/mode", approver,
        "{\"namespace\":\"shop\",\"workload\":\"Pod/db\",\"mode\":\"enforce\"}").statusCode());
    assertEquals("Pod/db=enforce", workloadByModeObject().get("db-mode"));
    assertFalse(workloadByModeObject().containsKey("workload-pod-db"));

    // an object named as web's would be, but setting another workload: refused, nothing written
    SegmentationMode namesake = new SegmentationMode();
    namesake.setMetadata(new ObjectMetaBuilder().withNamespace("shop").withName("workload-pod-web").build());
    namesake.setSpec(new dev.palisade.model.crd.SegmentationModeSpec());
    namesake.getSpec().workload = "Pod/web-v2x";
    namesake.getSpec().mode = "enforce";
    client.resource(namesake).create();
    seesMode("workload-pod-web");
    int audited = json(call("GET", "/v1/audit", viewer, null)).size();
    HttpResponse<String> r = call("POST", "/v1/mode", approver,
        "{\"namespace\":\"shop\",\"workload\":\"Pod/web\",\"mode\":\"learn\"}");
    assertEquals(409, r.statusCode(), r.body());
    assertTrue(r.body().contains("shop/workload-pod-web already sets Pod/web-v2x"), r.body());
    assertEquals("Pod/web-v2x=enforce", workloadByModeObject().get("workload-pod-web"));
    assertEquals(audited, json(call("GET", "/v1/audit", viewer, null)).size(), "no audit entry for a refused mode");
    client.pods().inNamespace("shop").withName("web.v2").delete();
    client.pods().inNamespace("shop").withName("web-v2").delete();
  }

  @Test
  void snapshotsAreKeptAndTellWhatChangedSince() throws Exception {
    json(call("POST", "/v1/snapshots", approver, "{\"name\":\"before-review\"}"));
    assertEquals(400, call("POST", "/v1/snapshots", approver, "{\"name\":\"before-review\"}").statusCode(),
        "a kept snapshot is never overwritten");
    assertEquals(400, call("POST", "/v1/snapshots", approver, "{\"name\":\"Bad Name\"}").statusCode());
    JsonNode same = json(call("GET", "/v1/diff?since=before-review", viewer, null));
    assertEquals(0, same.get("added").size() + same.get("removed").size() + same.get("changed").size());

    json(call("POST", "/v1/review", approver, "{\"status\":\"approved\",\"only\":[" + EDGE + "]}"));
    JsonNode d = json(call("GET", "/v1/diff?since=before-review", viewer, null));
    assertEquals(1, d.get("changed").size(), d.toString());
    assertEquals("learned", d.get("changed").get(0).get("before").get("status").asString());
    assertEquals("approved", d.get("changed").get(0).get("now").get("status").asString());
    assertEquals(404, call("GET", "/v1/diff?since=nope", viewer, null).statusCode());
    assertEquals(1, json(call("GET", "/v1/snapshots", viewer, null)).size());
  }

  @Test
  void aSnapshotSentAgainWithItsIdIsAnsweredFromTheOneKept() throws Exception {
    String body = "{\"name\":\"before-review\",\"id\":\"cli-1\"}";
    JsonNode first = json(call("POST", "/v1/snapshots", approver, body));
    JsonNode again = json(call("POST", "/v1/snapshots", approver, body));
    assertTrue(again.path("repeated").asBoolean(), "its answer was lost, not the snapshot: " + again);
    assertEquals(first.get("taken"), again.get("taken"));
    HttpResponse<String> reused = call("POST", "/v1/snapshots", approver, "{\"name\":\"other\",\"id\":\"cli-1\"}");
    assertEquals(409, reused.statusCode(), reused.body());
    assertTrue(reused.body().contains("was used by decision #1 (snapshot before-review)"), reused.body());
    assertEquals(1, json(call("GET", "/v1/audit", viewer, null)).size(), "kept once, audited once");
  }

  @Test
  void exportsTheApprovedGraphAsNetworkPolicyDotAndGraphMl() throws Exception {
    HttpResponse<String> none = call("GET", "/v1/export/networkpolicy?namespace=shop", viewer, null);
    assertEquals(200, none.statusCode());
    assertFalse(none.body().contains("port: 5432"), "nothing approved yet: " + none.body());
    json(call("POST", "/v1/review", approver, "{\"status\":\"approved\",\"only\":[" + EDGE + "]}"));
    String yaml = call("GET", "/v1/export/networkpolicy?namespace=shop", viewer, null).body();
    assertTrue(yaml.contains("kind: \"NetworkPolicy\"") && yaml.contains("port: 5432"), yaml);
    assertTrue(yaml.contains("\"app\": \"web\""), "selects the stable labels: " + yaml);
    assertEquals(400, call("GET", "/v1/export/networkpolicy?namespace=shop&status=rejected", viewer, null).statusCode());
    assertEquals(400, call("GET", "/v1/export/networkpolicy", viewer, null).statusCode());
    assertTrue(call("GET", "/v1/export/dot", viewer, null).body().contains("digraph"));
    assertTrue(call("GET", "/v1/export/graphml", viewer, null).body().contains("<graphml"));
  }
}
