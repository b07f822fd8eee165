package dev.palisade.controller.review;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.controller.api.Principal;
import dev.palisade.controller.api.Role;
import dev.palisade.model.crd.ReviewAudit;
import dev.palisade.model.crd.ReviewAuditSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The audit log on the fabric8 mock API server: one decision per entry, split only when too big for one object. */
@EnableKubernetesMockClient(crud = true)
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
}
