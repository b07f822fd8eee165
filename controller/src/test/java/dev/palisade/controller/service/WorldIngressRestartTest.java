package dev.palisade.controller.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.controller.MockApiServer;
import dev.palisade.controller.api.Principal;
import dev.palisade.controller.api.Role;
import dev.palisade.controller.api.StaticTokens;
import dev.palisade.model.Mode;
import dev.palisade.model.crd.LearnedFlows;
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
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 22: a learned edge from the world into a workload (NodePort/LoadBalancer ingress) and its
 * review decision are saved in LearnedFlows and are in the graph again after a controller restart.
 */
@MockApiServer
class WorldIngressRestartTest {
  KubernetesClient client;

  private final StaticTokens tokens = new StaticTokens();
  private final String agent = tokens.issue(new Principal("lab-node-0", Role.AGENT));
  private final String approver = tokens.issue(new Principal("alice", Role.APPROVER));
  private final HttpClient http = HttpClient.newHttpClient();
  private PalisadeController controller;

  @AfterEach
  void stop() {
    if (controller != null) {
      controller.close();
    }
  }

  private PalisadeController startController() {
    PalisadeController c = new PalisadeController(client, tokens, Mode.LEARN);
    c.start("127.0.0.1", 0, Duration.ofSeconds(20));
    c.drain();
    return c;
  }

  private HttpResponse<String> call(String method, String path, String token, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + controller.port() + path))
        .header("Authorization", "Bearer " + token).method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void worldIngressSurvivesARestart() throws Exception {
    client.apps().replicaSets().inNamespace("shop").resource(new ReplicaSetBuilder().withMetadata(new ObjectMetaBuilder()
        .withNamespace("shop").withName("web-5d8f").withOwnerReferences(new OwnerReferenceBuilder()
            .withApiVersion("apps/v1").withKind("Deployment").withName("web").withUid("d-web").withController(true)
            .build()).build()).build()).create();
    client.pods().inNamespace("shop").resource(new PodBuilder().withMetadata(new ObjectMetaBuilder()
        .withNamespace("shop").withName("web-5d8f-aaaaa").withLabels(Map.of("app", "web", "pod-template-hash", "5d8f"))
        .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("apps/v1").withKind("ReplicaSet")
            .withName("web-5d8f").withUid("r-web").withController(true).build()).build())
        .withNewSpec().withNodeName("lab-node-0").endSpec().build()).create();
    controller = startController();
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (client.resources(WorkloadIdentity.class).inNamespace("shop").withName("deployment-web").get() == null) {
      assertTrue(System.nanoTime() < deadline, "no identity for web");
      Thread.sleep(20);
    }
    long web = client.resources(WorkloadIdentity.class).inNamespace("shop").withName("deployment-web").get()
        .getSpec().id;
    long now = System.currentTimeMillis();
    HttpResponse<String> ok = call("POST", "/v1/flows", agent, "{\"node\":\"lab-node-0\",\"sequence\":1,\"flows\":[{"
        + "\"src\":1,\"dst\":" + web + ",\"protocol\":\"TCP\",\"port\":8080,\"count\":3,\"first\":" + (now - 1000)
        + ",\"last\":" + now + ",\"srcPods\":[],\"dstPods\":[\"shop/web-5d8f-aaaaa\"]}]}");
    assertEquals(200, ok.statusCode(), ok.body());
    HttpResponse<String> approved = call("POST", "/v1/review", approver, "{\"status\":\"approved\",\"only\":[{"
        + "\"from\":\"198.51.100.20\",\"to\":\"shop/Deployment/web\",\"port\":8080}]}");
    assertEquals(200, approved.statusCode(), approved.body());

    controller.close(); // saves what the last reports added
    LearnedFlows saved = client.resources(LearnedFlows.class).inNamespace("shop").withName("in-world-deployment-web")
        .get();
    assertEquals("world", saved.getSpec().source);
    assertEquals("shop/Deployment/web", saved.getSpec().edges.get(0).destination);

    controller = startController();
    String graph = call("GET", "/v1/graph", approver, null).body();
    assertTrue(graph.contains("\"source\":\"world\",\"destination\":\"shop/Deployment/web\""), graph);
    assertTrue(graph.contains("\"source\":\"198.51.100.20\",\"destination\":\"shop/Deployment/web\""), graph);
  }
}
