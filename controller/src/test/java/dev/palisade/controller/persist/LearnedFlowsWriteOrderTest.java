package dev.palisade.controller.persist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.controller.graph.EdgeStatus;
import dev.palisade.controller.graph.FlowEdge.EdgeKey;
import dev.palisade.controller.graph.FlowGraph;
import dev.palisade.controller.publish.Backoff;
import dev.palisade.model.crd.LearnedFlows;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A controller killed between two writes of a source's parts must leave every edge it had stored
 * in some stored object: the store is cut after each single write the writer issues, and the
 * restore must still find every edge of the graph as last stored whole.
 */
class LearnedFlowsWriteOrderTest {
  private static final String WEB = "shop/Deployment/web";
  private static final int EDGES = 150;

  @Test
  void aKillAfterAnyWriteLeavesEveryStoredEdgeInSomeStoredObject() {
    FlowGraph g = new FlowGraph();
    FakeLearnedFlowsStore store = new FakeLearnedFlowsStore();
    LearnedFlowsWriter writer = new LearnedFlowsWriter(g, store, Runnable::run, null, Duration.ZERO, Backoff.DEFAULT);
    List<Integer> ids = new ArrayList<>(HeavyEdges.ids(5000, EDGES));
    HeavyEdges.report(g, WEB, ids, 0, 4);
    writer.dirty(WEB);
    writer.flushNow();
    int cuts = 0;
    for (int step = 1; step <= 4; step++) {
      Map<EdgeKey, Long> stored = counts(g);
      Map<String, LearnedFlows> before = store.objects();
      int logged = store.log().size();
      // edges that sort first (ids 1000..) added, every edge grows: later edges move to later parts
      ids.addAll(HeavyEdges.ids(1000 + step * 10, 10));
      HeavyEdges.report(g, WEB, ids, step, 4);
      if (step == 2) {
        g.review(e -> e.destination().contains("/51"), EdgeStatus.APPROVED);
      } else if (step == 3) {
        g.review(e -> e.destination().contains("/51"), EdgeStatus.LEARNED); // a reset: the edge is not smaller
      }
      writer.dirty(WEB);
      writer.flushNow();
      List<FakeLearnedFlowsStore.Op> writes = store.log().subList(logged, store.log().size());
      assertTrue(writes.size() > 1, "step " + step + " writes several parts");
      for (int cut = 1; cut <= writes.size(); cut++) {
        Map<String, LearnedFlows> killed = new TreeMap<>(before);
        writes.subList(0, cut).forEach(w -> w.applyTo(killed));
        FlowGraph restored = new FlowGraph();
        killed.values().forEach(lf -> ControllerRestore.restoreEdges(restored, lf));
        Map<EdgeKey, Long> found = counts(restored);
        for (Map.Entry<EdgeKey, Long> e : stored.entrySet()) {
          Long count = found.get(e.getKey());
          assertTrue(count != null && count >= e.getValue(), "step " + step + ", killed after write " + cut + " of "
              + writes.size() + ": " + e.getKey().text() + " " + (count == null ? "lost" : "went back to " + count));
        }
        cuts++;
      }
    }
    assertTrue(cuts >= 8, cuts + " cuts");
    FlowGraph restored = new FlowGraph();
    store.objects().values().forEach(lf -> ControllerRestore.restoreEdges(restored, lf));
    assertEquals(counts(g), counts(restored), "written whole: the graph as it is");
  }

  private static Map<EdgeKey, Long> counts(FlowGraph g) {
    return g.edges().stream().collect(Collectors.toMap(FlowGraph.EdgeView::key, FlowGraph.EdgeView::count));
  }
}
