package dev.palisade.controller.persist;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.palisade.controller.graph.EdgeStatus;
import dev.palisade.controller.graph.FlowGraph;
import dev.palisade.model.crd.LearnedFlows;
import dev.palisade.model.crd.LearnedFlowsSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class ControllerRestoreTest {
  private static final String WEB = "shop/Deployment/web";

  /** One object of web's holding web -> api 8080/TCP with this evidence. */
  private static LearnedFlows copy(String name, String status, long count, long first, long last, long violations,
      List<String> pods) {
    return copy(WEB, "shop/Deployment/api", name, status, count, first, last, violations, pods);
  }

  /** One object of {@code source}'s holding source -> destination 8080/TCP with this evidence. */
  private static LearnedFlows copy(String source, String destination, String name, String status, long count,
      long first, long last, long violations, List<String> pods) {
    LearnedFlowsSpec.Edge e = new LearnedFlowsSpec.Edge();
    e.destination = destination;
    e.port = 8080;
    e.protocol = "TCP";
    e.status = status;
    e.count = count;
    e.firstSeen = first;
    e.lastSeen = last;
    e.violations = violations;
    e.sourcePods = pods;
    e.destinationPods = List.of();
    LearnedFlows lf = new LearnedFlows();
    lf.setMetadata(new ObjectMetaBuilder().withNamespace("shop").withName(name).build());
    lf.setSpec(new LearnedFlowsSpec());
    lf.getSpec().source = source;
    lf.getSpec().edges = List.of(e);
    return lf;
  }

  @Test
  void anEdgeInTwoPartsKeepsItsNewestEvidenceInEitherOrderAndIsNotCountedTwice() {
    // a write cut between two parts: the stale copy still in one part, the new one in the next
    LearnedFlows stale = copy("deployment-web", "learned", 5, 1000, 2000, 1, List.of("shop/web-0"));
    LearnedFlows fresh = copy("deployment--p2-web", "approved", 9, 1000, 3000, 4,
        List.of("shop/web-0", "shop/web-1"));
    for (List<LearnedFlows> order : List.of(List.of(stale, fresh), List.of(fresh, stale))) {
      FlowGraph g = new FlowGraph();
      order.forEach(lf -> ControllerRestore.restoreEdges(g, lf));
      FlowGraph.EdgeView e = g.edgesFrom(WEB).get(0);
      assertEquals(List.of(EdgeStatus.APPROVED, 9L, 1000L, 3000L, 4L),
          List.of(e.status(), e.count(), e.firstSeen(), e.lastSeen(), e.violations()),
          "read " + order.get(0).getMetadata().getName() + " first");
      assertEquals(2, e.sourcePods().size());
      assertEquals(1, g.edges().size());
    }
  }

  @Test
  void anInboundEdgeInTwoPartsKeepsItsNewestEvidenceInEitherOrder() {
    // world into web, parted as a workload's own edges are: the same merge
    LearnedFlows stale = copy("world", WEB, "in-world-deployment-web", "learned", 5, 1000, 2000, 1,
        List.of("shop/web-0"));
    LearnedFlows fresh = copy("world", WEB, "in-world-deployment--p2-web", "approved", 9, 1000, 3000, 4,
        List.of("shop/web-0", "shop/web-1"));
    for (List<LearnedFlows> order : List.of(List.of(stale, fresh), List.of(fresh, stale))) {
      FlowGraph g = new FlowGraph();
      order.forEach(lf -> ControllerRestore.restoreEdges(g, lf));
      FlowGraph.EdgeView e = g.edgesFrom("world").get(0);
      assertEquals(List.of(EdgeStatus.APPROVED, 9L, 3000L, 4L), List.of(e.status(), e.count(), e.lastSeen(),
          e.violations()), "read " + order.get(0).getMetadata().getName() + " first");
      assertEquals(1, g.edges().size());
    }
  }

  @Test
  void aCopyWithoutEvidenceYetDoesNotTakeTheFirstSeenOfOneWithIt() {
    // an edge a decision declared before traffic came (no evidence: first seen 0), then seen
    LearnedFlows declared = copy("deployment-web", "approved", 0, 0, 0, 0, List.of());
    LearnedFlows seen = copy("deployment--p2-web", "approved", 3, 1500, 1600, 0, List.of());
    for (List<LearnedFlows> order : List.of(List.of(declared, seen), List.of(seen, declared))) {
      FlowGraph g = new FlowGraph();
      order.forEach(lf -> ControllerRestore.restoreEdges(g, lf));
      assertEquals(1500L, g.edgesFrom(WEB).get(0).firstSeen());
      assertEquals(3L, g.edgesFrom(WEB).get(0).count());
    }
  }
}
