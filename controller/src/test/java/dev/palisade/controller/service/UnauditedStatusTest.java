package dev.palisade.controller.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.controller.api.Principal;
import dev.palisade.controller.api.Role;
import dev.palisade.controller.api.StaticTokens;
import dev.palisade.controller.graph.EdgeStatus;
import dev.palisade.controller.graph.FlowGraph.EdgeView;
import dev.palisade.controller.review.AuditLog;
import dev.palisade.model.Mode;
import dev.palisade.model.crd.AllowList;
import dev.palisade.model.crd.LearnedFlows;
import dev.palisade.model.crd.LearnedFlowsSpec;
import dev.palisade.model.crd.ReviewAudit;
import dev.palisade.model.crd.ReviewAuditSpec;
import dev.palisade.model.crd.WorkloadIdentity;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import dev.palisade.controller.MockApiServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The audit log is the record of decisions; LearnedFlows objects only keep the evidence. An edge
 * restored approved from a LearnedFlows object (edited by someone, or an old backup) that no
 * decision approved is learned again at start, and the log says so; an approval that was decided
 * survives the restart.
 */
@MockApiServer
class UnauditedStatusTest {
  static KubernetesClient client;
  private final StaticTokens tokens = new StaticTokens();
  private final String approver = tokens.issue(new Principal("alice", Role.APPROVER));
  private PalisadeController controller;

  @BeforeEach
  void cluster() {
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("shop").endMetadata().build())
        .createOr(x -> x.update());
    for (String name : List.of("web", "db", "api")) {
      client.pods().inNamespace("shop").resource(new PodBuilder().withMetadata(new ObjectMetaBuilder()
          .withNamespace("shop").withName(name).withLabels(Map.of("app", name)).build()).withNewSpec()
          .withNodeName("node-a").endSpec().build()).createOr(x -> x.update());
    }
  }

  @AfterEach
  void stop() {
    if (controller != null) {
      controller.close();
    }
    for (Class<? extends io.fabric8.kubernetes.client.CustomResource<?, ?>> kind : List.of(ReviewAudit.class,
        WorkloadIdentity.class, LearnedFlows.class, AllowList.class)) {
      client.resources(kind).inAnyNamespace().delete();
    }
    client.pods().inNamespace("shop").delete();
  }

  /** web's LearnedFlows as someone wrote it: both edges approved, no decision behind either. */
  private static LearnedFlows edited() {
    LearnedFlows lf = new LearnedFlows();
    lf.setMetadata(new ObjectMetaBuilder().withNamespace("shop").withName("pod-web").build());
    lf.setSpec(new LearnedFlowsSpec());
    lf.getSpec().source = "shop/Pod/web";
    lf.getSpec().edges = List.of(edge("shop/Pod/db", 5432), edge("shop/Pod/api", 8080));
    return lf;
  }

  private static LearnedFlowsSpec.Edge edge(String destination, int port) {
    LearnedFlowsSpec.Edge e = new LearnedFlowsSpec.Edge();
    e.destination = destination;
    e.port = port;
    e.protocol = "TCP";
    e.status = "approved";
    e.count = 3;
    e.firstSeen = 1_000;
    e.lastSeen = 2_000;
    return e;
  }

  private PalisadeController start() {
    PalisadeController c = new PalisadeController(client, tokens, Mode.ENFORCE);
    c.start("127.0.0.1", 0, Duration.ofSeconds(20));
    c.drain();
    return c;
  }

  private Map<String, EdgeStatus> statuses() {
    Map<String, EdgeStatus> out = new java.util.TreeMap<>();
    for (EdgeView v : controller.graph().edges()) {
      out.put(v.key().destination(), v.status());
    }
    return out;
  }

  private List<ReviewAuditSpec> repairs() {
    return client.resources(ReviewAudit.class).list().getItems().stream().map(ReviewAudit::getSpec)
        .filter(e -> AuditLog.TAMPER_REPAIR.equals(e.action)).sorted(Comparator.comparingLong(e -> e.seq)).toList();
  }

  @Test
  void anApprovalNoDecisionMadeIsLearnedAgainAtStartAndAudited() throws Exception {
    client.resource(edited()).create();
    controller = start();
    assertEquals(Map.of("shop/Pod/api", EdgeStatus.LEARNED, "shop/Pod/db", EdgeStatus.LEARNED), statuses());
    List<ReviewAuditSpec> told = repairs();
    assertEquals(1, told.size(), "one entry for the source: " + told);
    assertEquals("LearnedFlows of shop/Pod/web", told.get(0).target);
    assertTrue(told.get(0).before.startsWith("2 edge(s) restored with a status no decision in the audit log gave")
        && told.get(0).before.contains("shop/Pod/web -> shop/Pod/db 5432/TCP approved"), told.get(0).before);
    assertEquals("learned", told.get(0).after);

    // an approval decided through the API survives a restart; the one nobody decided stays learned
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + controller.port() + "/v1/review"))
        .header("Authorization", "Bearer " + approver)
        .POST(HttpRequest.BodyPublishers.ofString("{\"status\":\"approved\",\"only\":[{\"from\":\"shop/Pod/web\","
            + "\"to\":\"shop/Pod/db\",\"port\":5432,\"protocol\":\"TCP\"}]}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    controller.close();
    controller = start();
    assertEquals(Map.of("shop/Pod/api", EdgeStatus.LEARNED, "shop/Pod/db", EdgeStatus.APPROVED), statuses());
    assertEquals(1, repairs().size(), "nothing more to set back");
  }
}
