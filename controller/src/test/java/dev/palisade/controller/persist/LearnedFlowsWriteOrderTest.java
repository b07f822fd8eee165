package dev.palisade.controller.persist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.controller.graph.EdgeStatus;
import dev.palisade.controller.graph.FlowEdge.EdgeKey;
import dev.palisade.controller.graph.FlowGraph;
import dev.palisade.controller.publish.Backoff;
import dev.palisade.model.FlowKey;
import dev.palisade.model.FlowRecord;
import dev.palisade.model.FlowReport;
import dev.palisade.model.Protocol;
import dev.palisade.model.crd.LearnedFlows;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * A controller killed between two writes of a source's parts must leave every edge it had stored
 * in some stored object: the store is cut after each single write the writer issues, and the
 * restore must still find every edge of the graph as last stored whole.
 */
class LearnedFlowsWriteOrderTest {
  private static final String WEB = "shop/Deployment/web";
  private static final String NS = "s".repeat(63);
  private static final int EDGES = 150;

  /** Reports from web: every edge of {@code ids} gains 4 more example pods at each end (long names). */
  private static void grow(FlowGraph g, int step, List<Integer> ids) {
    List<String> pods = IntStream.range(0, 4).mapToObj(i -> NS + "/" + (step * 4 + i) + "p".repeat(250)).toList();
    List<FlowRecord> records = ids.stream()
        .map(id -> new FlowRecord(new FlowKey(300, id, Protocol.TCP, 8080), 1, 1000 + step, 2000 + step, pods, pods))
        .toList();
    g.ingest(new FlowReport("n", 1 + step, records),
        id -> id == 300 ? WEB : NS + "/Deployment/" + id + "d".repeat(240));
  }

  @Test
  void aKillAfterAnyWriteLeavesEveryStoredEdgeInSomeStoredObject() {
    FlowGraph g = new FlowGraph();
    FakeLearnedFlowsStore store = new FakeLearnedFlowsStore();
    LearnedFlowsWriter writer = new LearnedFlowsWriter(g, store, Runnable::run, null, Duration.ZERO, Backoff.DEFAULT);
    List<Integer> ids = new ArrayList<>(IntStream.range(0, EDGES).map(i -> 5000 + i).boxed().toList());
    grow(g, 0, ids);
    writer.dirty(WEB);
    writer.flushNow();
    int cuts = 0;
    for (int step = 1; step <= 4; step++) {
      Map<EdgeKey, Long> stored = counts(g);
      Map<String, LearnedFlows> before = store.objects();
      int logged = store.log().size();
      // edges that sort first (ids 1000..) added, every edge grows: later edges move to later parts
      int added = 1000 + step * 10;
      ids.addAll(IntStream.range(0, 10).map(i -> added + i).boxed().toList());
      grow(g, step, ids);
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
