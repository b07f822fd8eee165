package dev.palisade.controller.request;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.controller.MockApiServer;
import dev.palisade.controller.api.ApiException;
import dev.palisade.controller.api.Principal;
import dev.palisade.controller.api.Role;
import dev.palisade.controller.graph.EdgeStatus;
import dev.palisade.controller.graph.FlowEdge.EdgeKey;
import dev.palisade.controller.graph.FlowGraph;
import dev.palisade.controller.review.AuditLog;
import dev.palisade.controller.review.EdgeDecisions;
import dev.palisade.model.Protocol;
import dev.palisade.model.crd.AccessRequest;
import dev.palisade.model.crd.AccessRequestSpec;
import dev.palisade.model.crd.AccessRequestStatus;
import dev.palisade.model.crd.ReviewAudit;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The request queue over the fabric8 mock API server: a request is checked and shown as pending,
 * approving it is one audit entry naming it, and nothing changes on a request that is invalid,
 * edited since it was shown, or outside the approver's namespaces.
 */
@MockApiServer
class AccessRequestQueueTest {
  static KubernetesClient client;
  private static final String WEB = "shop/Deployment/web";
  private static final String DB = "shop/StatefulSet/db";
  private static final String EDGE = WEB + " -> " + DB + " 5432/TCP";

  private final Principal alice = new Principal("alice", Role.APPROVER);
  private final FlowGraph graph = new FlowGraph();
  private final Map<String, AccessRequestStatus> written = new HashMap<>();
  private final List<EdgeKey> published = new ArrayList<>();
  private AuditLog audit;
  private AccessRequestQueue queue;
  private SharedIndexInformer<AccessRequest> informer;

  /** shop has web (pod web-1) and db; nothing else exists. */
  static final AccessRequestCheck.Ends ENDS = AccessRequestCheck.ends(
      (ns, kind, name) -> Set.of("shop/Deployment/web", "shop/StatefulSet/db").contains(ns + "/" + kind + "/" + name),
      pod -> pod.equals("shop/web-1") ? Optional.of(WEB) : Optional.empty());

  @BeforeEach
  void up() {
    audit = new AuditLog(client).restore();
    EdgeDecisions decisions = new EdgeDecisions(graph, audit, new EdgeDecisions.Effects() {
      @Override
      public void save(Set<String> sources) {}

      @Override
      public long publish(List<EdgeKey> changed) {
        published.addAll(changed);
        return 7;
      }
    });
    queue = new AccessRequestQueue(graph, audit, decisions, ENDS,
        (r, s) -> written.put(AccessRequestQueue.key(r), s), Runnable::run);
    informer = client.resources(AccessRequest.class).inAnyNamespace().inform();
    queue.watching(informer);
  }

  @AfterEach
  void down() {
    informer.stop();
    client.resources(AccessRequest.class).inAnyNamespace().list().getItems().forEach(o -> client.resource(o).delete());
    client.resources(ReviewAudit.class).list().getItems().forEach(o -> client.resource(o).delete());
  }

  private AccessRequest file(String name, String src, String dst, Integer port) {
    AccessRequest r = new AccessRequest();
    r.setMetadata(new ObjectMetaBuilder().withNamespace("shop").withName(name).withUid("uid-" + name)
        .withGeneration(1L).build());
    AccessRequestSpec s = new AccessRequestSpec();
    s.source = src;
    s.destination = dst;
    s.port = port;
    s.protocol = "TCP";
    s.reason = "the report job reads the orders";
    r.setSpec(s);
    client.resource(r).create();
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (informer.getStore().getByKey("shop/" + name) == null) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the informer never saw shop/" + name);
      }
      Thread.onSpinWait();
    }
    return r;
  }

  private static RequestDecision decision(String name, boolean approve, String edge) {
    String json = "{\"namespace\":\"shop\",\"name\":\"" + name + "\",\"decision\":\"" + (approve ? "approve" : "reject")
        + "\",\"edge\":\"" + edge + "\"}";
    return RequestDecision.read(json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void aRequestIsPendingWithItsPodResolvedToTheWorkload() {
    file("r1", "shop/web-1", DB, 5432);
    queue.reconcile("shop/r1");
    AccessRequestStatus s = written.get("shop/r1");
    assertEquals(AccessRequestStatus.PENDING, s.phase);
    assertEquals(EDGE, s.edge);
    assertEquals("unseen", queue.entries().get(0).edgeStatus());
    assertTrue(graph.edges().isEmpty(), "a request adds nothing to the graph by itself");
  }

  @Test
  void aRequestNamingNothingThatExistsIsInvalidAndCannotBeDecided() {
    file("r2", WEB, "shop/Deployment/ghost", 5432);
    queue.reconcile("shop/r2");
    AccessRequestStatus s = written.get("shop/r2");
    assertEquals(AccessRequestStatus.INVALID, s.phase);
    assertEquals("spec.destination: no Deployment 'ghost' in namespace 'shop'", s.message);
    ApiException e = assertThrows(ApiException.class, () -> queue.decide(alice, decision("r2", true, EDGE), 1));
    assertEquals(409, e.status());
    assertTrue(audit.entries().isEmpty());
    assertTrue(graph.edges().isEmpty());
  }

  @Test
  void approvingIsOneAuditedDecisionThatNamesTheRequest() {
    file("r3", WEB, DB, 5432);
    EdgeDecisions.Outcome o = queue.decide(alice, decision("r3", true, EDGE), 1);
    assertEquals(1, o.changed());
    assertEquals(1, audit.entries().size());
    var entry = audit.entries().get(0);
    assertEquals("approve", entry.action);
    assertEquals("shop/r3", entry.accessRequest);
    assertEquals(EDGE, entry.target);
    assertEquals(List.of(EdgeKey.parseText(EDGE)), published);
    assertEquals(EdgeStatus.APPROVED, graph.edges().get(0).status());
    AccessRequestStatus s = written.get("shop/r3");
    assertEquals(AccessRequestStatus.APPROVED, s.phase);
    assertEquals("alice", s.decidedBy);
    assertEquals(entry.seq, s.audit);

    // the page clicked twice: answered from the log, not decided again; the other way is refused
    assertTrue(queue.decide(alice, decision("r3", true, EDGE), 1).repeated());
    ApiException e = assertThrows(ApiException.class, () -> queue.decide(alice, decision("r3", false, EDGE), 1));
    assertEquals(409, e.status());
    assertEquals(1, audit.entries().size());
  }

  @Test
  void aRequestForARejectedEdgeMayBeFiledAndShowsTheEdgeRejected() {
    graph.restore(EdgeKey.parseText(EDGE), EdgeStatus.REJECTED, 3, 1, 2, 0, List.of(), List.of());
    file("r4", WEB, DB, 5432);
    AccessRequestQueue.Entry e = queue.entries().get(0);
    assertEquals(AccessRequestStatus.PENDING, e.status().phase);
    assertEquals("rejected", e.edgeStatus());
    queue.decide(alice, decision("r4", true, EDGE), 1);
    assertEquals("rejected", audit.entries().get(0).edges.get(0).before);
    assertEquals(EdgeStatus.APPROVED, graph.edges().get(0).status());
  }

  @Test
  void aRequestEditedSinceItWasShownIsNotDecided() {
    file("r5", WEB, DB, 5433);
    ApiException e = assertThrows(ApiException.class, () -> queue.decide(alice, decision("r5", true, EDGE), 1));
    assertEquals(409, e.status());
    assertTrue(e.getMessage().contains("now asks for " + WEB + " -> " + DB + " 5433/TCP"), e.getMessage());
    assertTrue(audit.entries().isEmpty());
    assertTrue(graph.edges().isEmpty());
  }

  @Test
  void anApproverOfOtherNamespacesDecidesNothingAndTheGraphLearnsNothing() {
    file("r6", WEB, DB, 5432);
    Principal bob = new Principal("bob", Role.APPROVER, Set.of("billing"));
    ApiException e = assertThrows(ApiException.class, () -> queue.decide(bob, decision("r6", true, EDGE), 1));
    assertEquals(403, e.status());
    assertTrue(graph.edges().isEmpty());
    assertTrue(audit.entries().isEmpty());
    assertNull(written.get("shop/r6"));
  }

  @Test
  void anApprovedEdgeStillGetsTheRequestItsOwnEntry() {
    graph.restore(EdgeKey.parseText(EDGE), EdgeStatus.APPROVED, 3, 1, 2, 0, List.of(), List.of());
    file("r7", WEB, DB, 5432);
    EdgeDecisions.Outcome o = queue.decide(alice, decision("r7", true, EDGE), 1);
    assertEquals(0, o.changed());
    assertEquals("shop/r7", audit.entries().get(0).accessRequest);
    assertEquals(AccessRequestStatus.APPROVED, written.get("shop/r7").phase);
    assertFalse(audit.reviewDecisions().isEmpty());
  }

  @Test
  void malformedDecisionsAreRefusedNamingTheField() {
    ApiException e = assertThrows(ApiException.class, () -> RequestDecision.read(
        "{\"namespace\":\"shop\",\"name\":\"r\",\"decision\":\"yes\",\"edge\":\"x\"}".getBytes(StandardCharsets.UTF_8)));
    assertEquals(400, e.status());
    assertTrue(e.getMessage().contains("decision"), e.getMessage());
    e = assertThrows(ApiException.class, () -> RequestDecision.read(
        "{\"namespace\":\"shop\",\"name\":\"r\",\"decision\":\"approve\",\"edge\":\"x\",\"all\":true}"
            .getBytes(StandardCharsets.UTF_8)));
    assertTrue(e.getMessage().contains("all"), e.getMessage());
  }
}
