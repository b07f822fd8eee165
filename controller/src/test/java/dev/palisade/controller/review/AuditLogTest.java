package dev.palisade.controller.review;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.controller.MockApiServer;
import dev.palisade.controller.api.Principal;
import dev.palisade.controller.api.Role;
import dev.palisade.model.crd.ReviewAudit;
import dev.palisade.model.crd.ReviewAuditSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The audit log on the fabric8 mock API server: one decision per entry, split only when too big for one object. */
@MockApiServer
class AuditLogTest {
  static KubernetesClient client;
  private final Principal alice = new Principal("alice", Role.APPROVER);

  @AfterEach
  void clear() {
    client.resources(ReviewAudit.class).list().getItems().forEach(o -> client.resource(o).delete());
  }

  private static List<ReviewAuditSpec.Edge> edges(int n) {
    List<ReviewAuditSpec.Edge> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new ReviewAuditSpec.Edge("shop/Pod/web-" + i + " -> shop/Pod/db 5432/TCP", i % 3 == 0 ? "rejected" : "learned"));
    }
    return out;
  }

  private static List<String> texts(List<ReviewAuditSpec.Edge> edges) {
    return edges.stream().map(e -> e.edge + " was " + e.before).toList();
  }

  private static List<ReviewAuditSpec> stored() {
    return client.resources(ReviewAudit.class).list().getItems().stream().map(ReviewAudit::getSpec).toList();
  }

  @Test
  void aDecisionThatFitsIsOneObject() {
    List<ReviewAuditSpec.Edge> changed = edges(50);
    new AuditLog(client).appendEdges(alice, "approve", changed, "approved", null);

    assertEquals(1, stored().size());
    ReviewAuditSpec only = stored().get(0);
    assertEquals(texts(changed), texts(only.edges));
    assertEquals(changed.size() + " edges", only.target);
    assertNull(only.part, "not split");
  }

  @Test
  void aDecisionTooBigForOneObjectIsSplitAndRestoredWhole() {
    List<ReviewAuditSpec.Edge> changed = edges(40);
    // room for a handful of edges per object, so 40 take several
    int budget = 5 * changed.get(0).edge.length();
    AuditLog log = new AuditLog(client, budget);
    log.append(alice, "mode", "shop", "(inherited)", "enforce");
    ReviewAuditSpec decision = log.appendEdges(alice, "approve", changed, "approved", null);

    List<ReviewAuditSpec> parts = stored().stream().filter(s -> s.seq == decision.seq)
        .sorted(Comparator.comparingInt(s -> s.part)).toList();
    assertTrue(parts.size() > 1, "split: " + parts.size() + " object(s)");
    for (int i = 0; i < parts.size(); i++) {
      assertEquals(i + 1, parts.get(i).part);
      assertEquals(parts.size(), parts.get(i).parts);
      assertTrue(parts.get(i).edges.stream().mapToInt(e -> e.edge.length()).sum() <= budget, "part " + (i + 1) + " fits");
    }
    assertEquals(texts(changed), texts(parts.stream().flatMap(p -> p.edges.stream()).toList()),
        "the parts hold every edge once, in order");

    AuditLog restored = new AuditLog(client, budget).restore();
    assertEquals(2, restored.entries().size(), "the parts read back as the one decision they are");
    ReviewAuditSpec back = restored.entries().get(1);
    assertEquals(decision.seq, back.seq);
    assertEquals(texts(changed), texts(back.edges));
    assertEquals(Set.of("rejected", "learned"), back.edges.stream().map(e -> e.before).collect(Collectors.toSet()));
    assertEquals("(mixed)", back.before);
    assertNull(back.part);

    ReviewAuditSpec next = restored.append(alice, "mode", "shop", "enforce", "learn");
    assertEquals(decision.seq + 1, next.seq, "the split decision took one number");
  }

  @Test
  void aDecisionCutShortByARestartIsKeptWithTheEdgesWritten() {
    List<ReviewAuditSpec.Edge> changed = edges(40);
    ReviewAuditSpec decision = new AuditLog(client, 5 * changed.get(0).edge.length())
        .appendEdges(alice, "reject", changed, "rejected", null);
    ReviewAudit last = client.resources(ReviewAudit.class).list().getItems().stream()
        .max(Comparator.comparingInt(a -> a.getSpec().part)).orElseThrow();
    int lost = last.getSpec().edges.size();
    client.resource(last).delete();

    List<ReviewAuditSpec> back = new AuditLog(client).restore().entries();
    assertEquals(1, back.size());
    assertEquals(changed.size() - lost, back.get(0).edges.size());
    assertEquals(decision.target, back.get(0).target, "still says how many the decision changed");
  }

  private static java.util.Optional<ReviewAudit> readBack(String name) {
    return java.util.Optional.ofNullable(client.resources(ReviewAudit.class).withName(name).get());
  }

  private static void createThenLoseTheAnswer(ReviewAudit cr) {
    client.resources(ReviewAudit.class).resource(cr).create();
    throw new io.fabric8.kubernetes.client.KubernetesClientException("timeout waiting for the answer");
  }

  @Test
  void anEntryStoredDespiteAFailedAnswerStandsAndTheNextTakesTheNextNumber() {
    AuditLog log = new AuditLog(client).restore().writesWith(AuditLogTest::createThenLoseTheAnswer,
        AuditLogTest::readBack);
    ReviewAuditSpec first = log.append(alice, "mode", "shop", "learn", "enforce");
    assertEquals(1, first.seq);
    log.writesWith(cr -> client.resources(ReviewAudit.class).resource(cr).create(), AuditLogTest::readBack);
    // before: the number was not taken, so every later write failed on AlreadyExists until a restart
    assertEquals(2, log.append(alice, "mode", "shop", "enforce", "monitor").seq);
    assertEquals(List.of("learn -> enforce", "enforce -> monitor"), new AuditLog(client).restore().entries().stream()
        .map(e -> e.before + " -> " + e.after).toList());
  }

  @Test
  void anEntryWhoseFateWasUnknownIsRemovedIfStoredBeforeTheNextOneIsWritten() {
    AuditLog log = new AuditLog(client).restore().writesWith(AuditLogTest::createThenLoseTheAnswer, name -> {
      throw new io.fabric8.kubernetes.client.KubernetesClientException("API server away");
    });
    // stored, but neither the create nor the read-back could say so: the caller is told it failed
    org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
        () -> log.append(alice, "mode", "shop", "learn", "enforce"));
    assertEquals(1, client.resources(ReviewAudit.class).list().getItems().size(), "it was stored all the same");
    log.writesWith(cr -> client.resources(ReviewAudit.class).resource(cr).create(), name -> {
      throw new io.fabric8.kubernetes.client.KubernetesClientException("API server still away");
    });
    org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
        () -> log.append(alice, "mode", "shop", "learn", "monitor"), "nothing written while its fate is unknown");
    log.writesWith(cr -> client.resources(ReviewAudit.class).resource(cr).create(), AuditLogTest::readBack);
    ReviewAuditSpec next = log.append(alice, "mode", "shop", "learn", "monitor");
    // the entry its caller was told had failed stays (append-only) and is voided by the next one:
    // a restart does not replay it
    AuditLog restored = new AuditLog(client).restore();
    assertEquals(List.of("1 mode learn -> enforce", "2 void mode shop -> not in effect: its caller was answered that "
        + "it failed", "3 mode learn -> monitor"), restored.entries().stream()
        .map(e -> e.seq + " " + e.action + " " + e.before + " -> " + e.after).toList());
    assertFalse(restored.complete(restored.entries().get(0)), "voided: never in effect");
    assertEquals(3, next.seq);
  }

  @Test
  void aVoidedApprovalIsNotReplayedAndItsRequestIdIsFreeAgain() {
    AuditLog log = new AuditLog(client).restore().writesWith(AuditLogTest::createThenLoseTheAnswer, name -> {
      throw new io.fabric8.kubernetes.client.KubernetesClientException("API server away");
    });
    org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class, () -> log.appendEdges(alice, "approve",
        edges(2), "approved", "req-1", null));
    log.writesWith(cr -> client.resources(ReviewAudit.class).resource(cr).create(), AuditLogTest::readBack);
    log.append(alice, "snapshot", "s1", null, "0 edges");
    AuditLog restored = new AuditLog(client).restore();
    assertEquals(List.of(), restored.reviewDecisions(), "the approval answered 5xx never holds");
    assertTrue(restored.byRequest("req-1").isEmpty(), "a retry with its id is decided anew");
  }

  @Test
  void aRefusedCreateIsNotReadBack() {
    List<String> read = new ArrayList<>();
    AuditLog log = new AuditLog(client).restore().writesWith(cr -> {
      throw new io.fabric8.kubernetes.client.KubernetesClientException("forbidden", 403, null);
    }, name -> {
      read.add(name);
      return java.util.Optional.empty();
    });
    org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
        () -> log.append(alice, "mode", "shop", "learn", "enforce"));
    assertEquals(List.of(), read, "a 403 says it was not stored");
  }
}
