package dev.palisade.controller.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.controller.MockApiServer;
import dev.palisade.controller.api.Principal;
import dev.palisade.controller.api.Role;
import dev.palisade.controller.api.StaticTokens;
import dev.palisade.model.Mode;
import dev.palisade.model.crd.AllowList;
import dev.palisade.model.crd.ApprovedGraph;
import dev.palisade.model.crd.ApprovedGraphSpec;
import dev.palisade.model.crd.WorkloadIdentity;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
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

/** An ApprovedGraph applied with kubectl (or GitOps) approves its edges, and the graph API says so. */
@MockApiServer
class ApprovedGraphControllerTest {
  KubernetesClient client;
  private final StaticTokens tokens = new StaticTokens();
  private final String agent = tokens.issue(new Principal("lab-node-0", Role.AGENT));
  private final String viewer = tokens.issue(new Principal("bob", Role.VIEWER));
  private PalisadeController controller;

  @AfterEach
  void stop() {
    if (controller != null) {
      controller.close();
    }
  }

  private void deploymentPod(String deploy, String rs, String pod) {
    client.apps().replicaSets().inNamespace("shop").resource(new ReplicaSetBuilder().withMetadata(new ObjectMetaBuilder()
        .withNamespace("shop").withName(rs).withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("apps/v1")
            .withKind("Deployment").withName(deploy).withUid("d-" + deploy).withController(true).build()).build())
        .build()).create();
    client.pods().inNamespace("shop").resource(new PodBuilder().withMetadata(new ObjectMetaBuilder().withNamespace("shop")
        .withName(pod).withLabels(Map.of("app", deploy)).withOwnerReferences(new OwnerReferenceBuilder()
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

  private AllowList allow(String name) {
    return client.resources(AllowList.class).inNamespace("shop").withName(name).get();
  }

  private HttpResponse<String> call(String method, String path, String token, String body) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + controller.port() + path))
        .header("Authorization", "Bearer " + token)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void edgesOfAnApprovedGraphAreCompiledAndShownAsApprovedFromGit() throws Exception {
    deploymentPod("web", "web-5d8f", "web-5d8f-aaaaa");
    deploymentPod("api", "api-77aa", "api-77aa-bbbbb");
    controller = new PalisadeController(client, tokens, Mode.LEARN);
    controller.start("127.0.0.1", 0, Duration.ofSeconds(20));
    // by name, not by count: the names are what is read next (under load a count of 2 was once met
    // while a get by name still answered nothing)
    eventually(() -> client.resources(WorkloadIdentity.class).inNamespace("shop").withName("deployment-web").get() != null
        && client.resources(WorkloadIdentity.class).inNamespace("shop").withName("deployment-api").get() != null,
        "one identity per deployment");
    long web = client.resources(WorkloadIdentity.class).inNamespace("shop").withName("deployment-web").get().getSpec().id;
    long api = client.resources(WorkloadIdentity.class).inNamespace("shop").withName("deployment-api").get().getSpec().id;
    eventually(() -> allow("deployment-api") != null, "allow-lists published");
    assertTrue(allow("deployment-api").getSpec().ingress.isEmpty(), "nothing approved yet");

    ApprovedGraph g = new ApprovedGraph();
    g.setMetadata(new ObjectMetaBuilder().withNamespace("shop").withName("shop").build());
    g.setSpec(new ApprovedGraphSpec());
    ApprovedGraphSpec.Edge e = new ApprovedGraphSpec.Edge();
    e.from = "shop/Deployment/web";
    e.to = "shop/Deployment/api";
    e.port = 9090;
    g.getSpec().edges = List.of(e);
    client.resources(ApprovedGraph.class).inNamespace("shop").resource(g).create();

    // approved before any traffic: the edge is allowed from its first connection
    eventually(() -> !allow("deployment-api").getSpec().ingress.isEmpty(), "the git approval reaches the allow-list");
    assertEquals(web, allow("deployment-api").getSpec().ingress.get(0).peerIdentity);
    assertEquals("9090", allow("deployment-api").getSpec().ingress.get(0).ports);
    assertEquals(api, allow("deployment-web").getSpec().egress.get(0).peerIdentity);

    // once seen, the graph API shows it approved, and where the approval came from
    String report = "{\"node\":\"lab-node-0\",\"sequence\":1,\"flows\":[{\"src\":" + web + ",\"dst\":" + api
        + ",\"protocol\":\"TCP\",\"port\":9090,\"count\":3,\"first\":" + (System.currentTimeMillis() - 1000) + ",\"last\":" + System.currentTimeMillis() + ","
        + "\"srcPods\":[\"shop/web-5d8f-aaaaa\"],\"dstPods\":[\"shop/api-77aa-bbbbb\"]}]}";
    assertEquals(200, call("POST", "/v1/flows", agent, report).statusCode());
    String graph = call("GET", "/v1/graph", viewer, null).body();
    assertTrue(graph.contains("\"status\":\"approved\",\"approvedBy\":\"git:ApprovedGraph shop/shop\""), graph);

    // deleting the object withdraws the approval
    client.resources(ApprovedGraph.class).inNamespace("shop").withName("shop").delete();
    eventually(() -> allow("deployment-api").getSpec().ingress.isEmpty(), "the withdrawn approval leaves the allow-list");
  }
}
