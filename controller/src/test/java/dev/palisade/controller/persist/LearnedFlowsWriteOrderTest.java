package dev.palisade.controller.persist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.controller.graph.EdgeStatus;
import dev.palisade.controller.graph.FlowEdge;
import dev.palisade.controller.graph.FlowEdge.EdgeKey;
import dev.palisade.controller.graph.FlowGraph;
import dev.palisade.controller.publish.Backoff;
import dev.palisade.model.crd.LearnedFlows;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntConsumer;
import java.util.function.Predicate;
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
    List<Integer> ids = new ArrayList<>(HeavyEdges.ids(5000, EDGES));
    HeavyEdges.report(g, WEB, ids, 0, 4);
    killedAfterEachWrite(g, WEB, null, e -> e.destination().contains("/51"), step -> {
      // edges that sort first (ids 1000..) added, every edge grows: later edges move to later parts
      ids.addAll(HeavyEdges.ids(1000 + step * 10, 10));
      HeavyEdges.report(g, WEB, ids, step, 4);
    });
  }

  @Test
  void aKillAfterAnyWriteOfAnInboundObjectsPartsLeavesEveryStoredEdgeInSomeStoredObject() {
    // world into web: at most 32 ports of a protocol each (then a scan edge), so fewer edges, each
    // with the most example pods from the start
    String web = HeavyEdges.NS + "/Deployment/web";
    FlowGraph g = new FlowGraph();
    List<Integer> ports = new ArrayList<>(HeavyEdges.ids(5000, 18));
    HeavyEdges.inbound(g, web, 500, ports, 0, 8);
    HeavyEdges.inbound(g, web, 500, ports, 1, 8);
    killedAfterEachWrite(g, "world", web, e -> e.port() % 10 == 1, step -> {
      // ports that sort first added, the edges there grow to the most pods over two reports
      ports.addAll(HeavyEdges.ids(5000 - step * 3, 3));
      HeavyEdges.inbound(g, web, 500, ports, 2 * step, 8);
      HeavyEdges.inbound(g, web, 500, ports, 2 * step + 1, 8);
    });
  }

  /**
   * The edges of {@code source} (into {@code into}, an outside source's, when not null) written,
   * then four times grown by {@code grow}, the status of those {@code reviewed} set and reset
   * between, and written again: the store cut after each write of each step must still hold every
   * edge as it was stored before.
   */
  private static void killedAfterEachWrite(FlowGraph g, String source, String into, Predicate<FlowEdge> reviewed,
      IntConsumer grow) {
    FakeLearnedFlowsStore store = new FakeLearnedFlowsStore();
    LearnedFlowsWriter writer = new LearnedFlowsWriter(g, store, Runnable::run, null, Duration.ZERO, Backoff.DEFAULT);
    Runnable dirty = () -> {
      if (into == null) {
        writer.dirty(source);
      } else {
        writer.dirty(source, into);
      }
    };
    dirty.run();
    writer.flushNow();
    int cuts = 0;
    for (int step = 1; step <= 4; step++) {
      Map<EdgeKey, Long> stored = counts(g);
      Map<String, LearnedFlows> before = store.objects();
      int logged = store.log().size();
      grow.accept(step);
      if (step == 2) {
        g.review(reviewed, EdgeStatus.APPROVED);
      } else if (step == 3) {
        g.review(reviewed, EdgeStatus.LEARNED); // a reset: the edge is not smaller
      }
      dirty.run();
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
