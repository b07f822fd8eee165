package dev.palisade.controller.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.controller.MockApiServer;
import dev.palisade.controller.api.Principal;
import dev.palisade.controller.api.Role;
import dev.palisade.controller.api.StaticTokens;
import dev.palisade.model.Mode;
import dev.palisade.model.crd.ApprovedGraph;
import dev.palisade.model.crd.ApprovedGraphSpec;
import dev.palisade.model.crd.ReviewAudit;
import dev.palisade.model.crd.WorkloadIdentity;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The review API does not silently fight an ApprovedGraph: a decision against an edge git owns is
 * refused with 409, the object's name and its YAML with the decision in it; nothing is decided or
 * audited. Decisions on edges git says nothing about work as before, and once the patch is applied
 * (as GitOps would) the same decision agrees with git and goes through.
 */
@MockApiServer
class GitOwnedDecisionTest {
  private static final String WEB = "shop/Deployment/web";
  private static final String API = "shop/Deployment/api";
  private static final String DB = "shop/Deployment/db";
  KubernetesClient client;
  private final StaticTokens tokens = new StaticTokens();
  private final String agent = tokens.issue(new Principal("lab-node-0", Role.AGENT));
  private final String approver = tokens.issue(new Principal("alice", Role.APPROVER));
  private PalisadeController controller;

  @AfterEach
  void stop() {
    if (controller != null) {
      controller.close();
    }
  }

  private void deploymentPod(String deploy) {
    String rs = deploy + "-5d8f";
    client.apps().replicaSets().inNamespace("shop").resource(new ReplicaSetBuilder().withMetadata(new ObjectMetaBuilder()
        .withNamespace("shop").withName(rs).withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("apps/v1")
            .withKind("Deployment").withName(deploy).withUid("d-" + deploy).withController(true).build()).build())
        .build()).create();
    client.pods().inNamespace("shop").resource(new PodBuilder().withMetadata(new ObjectMetaBuilder().withNamespace("shop")
        .withName(rs + "-aaaaa").withLabels(Map.of("app", deploy)).withOwnerReferences(new OwnerReferenceBuilder()
            .withApiVersion("apps/v1").withKind("ReplicaSet").withName(rs).withUid("r-" + rs).withController(true)
            .build()).build()).withNewSpec().withNodeName("lab-node-0").endSpec().build()).create();
  }

  private static void eventually(Supplier<Boolean> condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.get()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out: " + what);
      }
      Thread.sleep(20);
    }
  }

  private HttpResponse<String> call(String method, String path, String token, String body) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + controller.port() + path))
        .header("Authorization", "Bearer " + token)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  private long id(String deploy) throws InterruptedException {
    eventually(() -> client.resources(WorkloadIdentity.class).inNamespace("shop").withName("deployment-" + deploy)
        .get() != null, "the identity of " + deploy);
    return client.resources(WorkloadIdentity.class).inNamespace("shop").withName("deployment-" + deploy).get()
        .getSpec().id;
  }

  private static String flow(long src, long dst, int port, String srcPod, String dstPod) {
    long now = System.currentTimeMillis();
    return "{\"src\":" + src + ",\"dst\":" + dst + ",\"protocol\":\"TCP\",\"port\":" + port + ",\"count\":1,\"first\":"
        + (now - 1000) + ",\"last\":" + now + ",\"srcPods\":[\"shop/" + srcPod + "\"],\"dstPods\":[\"shop/" + dstPod
        + "\"]}";
  }

  private static String review(String status, String from, String to, int port) {
    return "{\"status\":\"" + status + "\",\"only\":[{\"from\":\"" + from + "\",\"to\":\"" + to + "\",\"port\":" + port
        + ",\"protocol\":\"TCP\"}]}";
  }

  private static ApprovedGraphSpec.Edge edge(String from, String to, int port) {
    ApprovedGraphSpec.Edge e = new ApprovedGraphSpec.Edge();
    e.from = from;
    e.to = to;
    e.port = port;
    e.protocol = "TCP";
    return e;
  }

  private String statusOf(String from, String to) throws Exception {
    JsonNode g = JsonMapper.builder().build().readTree(call("GET", "/v1/graph", approver, null).body());
    for (JsonNode e : g.path("edges")) {
      if (e.path("source").asString().equals(from) && e.path("destination").asString().equals(to)) {
        return e.path("status").asString();
      }
    }
    return null;
  }

  private int audited() {
    return client.resources(ReviewAudit.class).inAnyNamespace().list().getItems().size();
  }

  @Test
  void aDecisionAgainstAnApprovedGraphIsAPatchToCommitNotASilentOverride() throws Exception {
    for (String d : List.of("web", "api", "db")) {
      deploymentPod(d);
    }
    controller = new PalisadeController(client, tokens, Mode.LEARN);
    controller.start("127.0.0.1", 0, Duration.ofSeconds(20));
    long web = id("web");
    long api = id("api");
    long db = id("db");
    ApprovedGraph g = new ApprovedGraph();
    g.setMetadata(new ObjectMetaBuilder().withNamespace("shop").withName("shop-approved").build());
    g.setSpec(new ApprovedGraphSpec());
    g.getSpec().edges = List.of(edge(WEB, API, 9090));
    g.getSpec().rejected = List.of(edge(API, DB, 5432));
    client.resources(ApprovedGraph.class).inNamespace("shop").resource(g).create();
    String report = "{\"node\":\"lab-node-0\",\"sequence\":1,\"flows\":[" + flow(web, api, 9090, "web-5d8f-aaaaa",
        "api-5d8f-aaaaa") + "," + flow(api, db, 5432, "api-5d8f-aaaaa", "db-5d8f-aaaaa") + ","
        + flow(web, db, 5432, "web-5d8f-aaaaa", "db-5d8f-aaaaa") + "]}";
    assertEquals(200, call("POST", "/v1/flows", agent, report).statusCode());
    eventually(() -> {
      try {
        return "approved".equals(statusOf(WEB, API)) && "rejected".equals(statusOf(API, DB));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }, "the ApprovedGraph is in force");
    int auditBefore = audited();

    // rejecting an edge git approves: 409, the object named, its YAML with the edge moved to rejected
    HttpResponse<String> refused = call("POST", "/v1/review", approver, review("rejected", WEB, API, 9090));
    assertEquals(409, refused.statusCode(), refused.body());
    JsonNode body = JsonMapper.builder().build().readTree(refused.body());
    assertTrue(body.path("error").asString().contains("managed in git by ApprovedGraph shop/shop-approved: commit this"
        + " change there"), body.toString());
    JsonNode m = body.path("managedBy").get(0);
    assertEquals("shop/shop-approved", m.path("approvedGraph").asString());
    assertEquals(WEB + " -> " + API + " 9090/TCP", m.path("edges").get(0).asString());
    ApprovedGraph patch = new KubernetesSerialization().unmarshal(m.path("patch").asString(), ApprovedGraph.class);
    assertEquals("shop-approved", patch.getMetadata().getName());
    assertEquals(List.of(), patch.getSpec().edges);
    assertEquals(List.of(API + "|" + DB, WEB + "|" + API), patch.getSpec().rejected.stream().map(e -> e.from + "|" + e.to)
        .toList());
    // nothing decided, nothing audited
    assertEquals("approved", statusOf(WEB, API));
    assertEquals(auditBefore, audited());

    // approving an edge git rejects: 409 with the edge moved to spec.edges
    HttpResponse<String> approveRejected = call("POST", "/v1/review", approver, review("approved", API, DB, 5432));
    assertEquals(409, approveRejected.statusCode(), approveRejected.body());
    ApprovedGraph moved = new KubernetesSerialization().unmarshal(JsonMapper.builder().build()
        .readTree(approveRejected.body()).path("managedBy").get(0).path("patch").asString(), ApprovedGraph.class);
    assertEquals(2, moved.getSpec().edges.size());
    assertEquals("rejected", statusOf(API, DB));

    // an edge git says nothing about is decided here as before; "all" leaves git's edges to git
    assertEquals(200, call("POST", "/v1/review", approver, review("approved", WEB, DB, 5432)).statusCode());
    assertEquals("approved", statusOf(WEB, DB));
    HttpResponse<String> all = call("POST", "/v1/review", approver, "{\"status\":\"rejected\",\"all\":true}");
    assertEquals(200, all.statusCode(), all.body());
    assertEquals("rejected", statusOf(WEB, DB));
    assertEquals("approved", statusOf(WEB, API), "all does not override git");

    // committed and synced (applied here as GitOps would), the same decision agrees with git
    client.resources(ApprovedGraph.class).inNamespace("shop").resource(patch).update();
    eventually(() -> {
      try {
        return "rejected".equals(statusOf(WEB, API));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }, "the committed patch is in force");
    assertEquals(200, call("POST", "/v1/review", approver, review("rejected", WEB, API, 9090)).statusCode());
  }
}
