package dev.palisade.controller.persist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.controller.graph.FlowGraph;
import dev.palisade.controller.publish.Backoff;
import dev.palisade.model.FlowKey;
import dev.palisade.model.FlowRecord;
import dev.palisade.model.FlowReport;
import dev.palisade.model.Protocol;
import dev.palisade.model.crd.LearnedFlows;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class LearnedFlowsWriterTest {
  private static final String WEB = "shop/Deployment/web";

  /**
   * web -> n destinations, each edge with the most example pods an edge keeps (16 at each end, two
   * reports of 8) and names at their longest.
   */
  private static FlowGraph heavyHub(int n) {
    FlowGraph g = new FlowGraph();
    for (int r = 0; r < 2; r++) {
      HeavyEdges.report(g, WEB, HeavyEdges.ids(1000, n), r, 8);
    }
    return g;
  }

  @Test
  void aSourcesEdgesArePartedByTheirBytesEachPartUnderTheBudgetAndRestoredWhole() {
    FlowGraph g = heavyHub(700);
    assertEquals(16, g.edgesFrom(WEB).get(0).sourcePods().size(), "the most an edge keeps");
    List<LearnedFlows> parts = LearnedFlowsWriter.objectsOf(WEB, g.edgesFrom(WEB));
    assertTrue(parts.size() > 1, "700 heavy edges take more than one part");
    KubernetesSerialization json = new KubernetesSerialization();
    List<String> edges = new ArrayList<>();
    for (int i = 0; i < parts.size(); i++) {
      LearnedFlows p = parts.get(i);
      assertEquals(i == 0 ? "deployment-web" : "deployment--p" + (i + 1) + "-web", p.getMetadata().getName());
      assertEquals(WEB, p.getSpec().source, "every part names its source");
      int bytes = json.asJson(p).getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
      assertTrue(bytes <= LearnedFlowsParts.BUDGET_BYTES, p.getMetadata().getName() + " is " + bytes + " bytes");
      p.getSpec().edges.forEach(e -> edges.add(e.destination + " " + e.port + "/" + e.protocol));
    }
    assertEquals(g.edgesFrom(WEB).stream().map(v -> v.key().destination() + " " + v.key().port() + "/"
        + v.key().protocol()).toList(), edges, "every edge once, in the graph's order");
    assertEquals(parts.stream().map(json::asJson).toList(),
        LearnedFlowsWriter.objectsOf(WEB, g.edgesFrom(WEB)).stream().map(json::asJson).toList(),
        "the same edges, the same parts");

    FlowGraph restored = new FlowGraph();
    parts.forEach(p -> ControllerRestore.restoreEdges(restored, p));
    assertEquals(g.edges(), restored.edges(), "the restore merges the parts");
    assertEquals(1, LearnedFlowsWriter.objectsOf(WEB, List.of()).size(), "no edges: one empty object");
  }

  @Test
  void theHeaviestEdgeThereCanBeIsFarUnderTheBudgetAlone() {
    // the bound LearnedFlowsParts.BUDGET_BYTES's comment works out: longest names, each character
    // one JSON escapes to six bytes, the most pods, the widest numbers
    FlowGraph g = new FlowGraph();
    String longestNs = "n".repeat(63);
    List<List<String>> pods = IntStream.range(0, 2).mapToObj(r -> IntStream.range(0, 8)
        .mapToObj(i -> longestNs + "/" + (char) (r * 8 + i + 1) + String.valueOf((char) 1).repeat(252)).toList())
        .toList();
    String dst = "n".repeat(253) + "/ReplicationController/" + "w".repeat(253);
    for (int r = 0; r < 2; r++) {
      g.ingest(new FlowReport("n", 1 + r, List.of(new FlowRecord(new FlowKey(300, 301, Protocol.TCP, 65535), 1, 1, 2,
          pods.get(r), pods.get(r)))), id -> id == 300 ? WEB : dst);
    }
    g.violation(g.edgesFrom(WEB).get(0).key(), Long.MAX_VALUE / 2);
    FlowGraph.EdgeView edge = g.edgesFrom(WEB).get(0);
    assertEquals(16, edge.destinationPods().size());
    long bytes = LearnedFlowsParts.bytes(LearnedFlowsWriter.objectOf(WEB, List.of(edge)));
    assertTrue(bytes < 62 * 1024, bytes + " bytes");
    assertTrue(bytes * 8 < LearnedFlowsParts.BUDGET_BYTES, "a part holds at least 8 of them");
  }

  @Test
  void reportsMarkSourcesDirtyAndABatchWritesEachOnce() throws Exception {
    FlowGraph g = heavyHub(3);
    FakeLearnedFlowsStore store = new FakeLearnedFlowsStore();
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor();
    try {
      LearnedFlowsWriter w = new LearnedFlowsWriter(g, store, loop::execute, timer, Duration.ofMillis(200),
          Backoff.DEFAULT);
      loop.submit(() -> {
        for (int i = 0; i < 100; i++) {
          w.dirty(WEB);
          w.dirty("world"); // not a workload: not kept
          w.flushSoon();
        }
      }).get();
      long deadline = System.nanoTime() + 5_000_000_000L;
      while (loop.submit(w::pending).get() > 0) {
        assertTrue(System.nanoTime() < deadline, "not flushed");
        Thread.sleep(20);
      }
      assertEquals(List.of("shop/deployment-web"), loop.submit(() -> keys(store.log())).get(),
          "100 reports, one write");
    } finally {
      timer.shutdownNow();
      loop.shutdownNow();
    }
  }

  @Test
  void flowReportsCostAtMostOneBatchBudgetOfWritesPerBatchAndADecisionWritesOnlyItsOwn() {
    FlowGraph g = new FlowGraph();
    List<FlowRecord> records = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      records.add(new FlowRecord(new FlowKey(1000 + i, 999, Protocol.TCP, 80), 1, 1, 1, List.of(), List.of()));
    }
    g.ingest(new FlowReport("n", 1, records), id -> "shop/Deployment/w" + id);
    FakeLearnedFlowsStore store = new FakeLearnedFlowsStore();
    List<Runnable> timers = java.util.Collections.synchronizedList(new ArrayList<>());
    ScheduledExecutorService timer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
    // the timer's task is only recorded; the test runs each batch by hand
    LearnedFlowsWriter w = new LearnedFlowsWriter(g, store, timers::add, timer, Duration.ofMillis(1),
        Backoff.DEFAULT, 10);
    try {
      for (int i = 0; i < 25; i++) {
        w.dirty("shop/Deployment/w" + (1000 + i));
      }
      assertTrue(w.flushNow(java.util.Set.of("shop/Deployment/w1024")));
      assertEquals(List.of("shop/deployment-w1024"), keys(store.log()), "a decision writes its own source only");
      long deadline = System.nanoTime() + 5_000_000_000L;
      List<Integer> perBatch = new ArrayList<>();
      while (w.pending() > 0) {
        assertTrue(System.nanoTime() < deadline, "not flushed: " + w.pending());
        Runnable next;
        synchronized (timers) {
          next = timers.isEmpty() ? null : timers.remove(0);
        }
        if (next != null) {
          int before = store.log().size();
          next.run();
          perBatch.add(store.log().size() - before);
        }
      }
      assertEquals(List.of(10, 10, 4), perBatch, "oldest first, at most 10 objects a batch");
      assertEquals(25, new java.util.HashSet<>(keys(store.log())).size());
    } finally {
      timer.shutdownNow();
    }
  }

  @Test
  void edgesFromOutsideAreKeptPerSourceAndWorkloadTheyEnterAndReadBackUnchanged() {
    FlowGraph g = new FlowGraph();
    g.ingest(new FlowReport("n", 1, List.of(
        new FlowRecord(new FlowKey(1, 300, Protocol.TCP, 8080), 5, 1000, 2000, List.of(), List.of("shop/web-0")),
        new FlowRecord(new FlowKey(1, 301, Protocol.TCP, 9090), 2, 1000, 2000, List.of(), List.of("shop/api-0")),
        new FlowRecord(new FlowKey(300, 1, Protocol.TCP, 443, "dns:api.payments.example"), 1, 1, 2,
            List.of("shop/web-0"), List.of()))),
        id -> id == 1 ? "world" : id == 300 ? WEB : "shop/StatefulSet/api");
    g.restore(new dev.palisade.controller.graph.FlowEdge.EdgeKey("198.51.100.0/24", WEB, Protocol.TCP, 8080),
        dev.palisade.controller.graph.EdgeStatus.APPROVED, 0, 0, 0, 0, List.of(), List.of());
    FakeLearnedFlowsStore store = new FakeLearnedFlowsStore();
    LearnedFlowsWriter w = new LearnedFlowsWriter(g, store, Runnable::run, null, Duration.ZERO, Backoff.DEFAULT);
    w.dirty("world", WEB); // a flow report
    w.dirty("198.51.100.0/24"); // a review decision
    w.dirty("host", WEB); // not kept
    w.dirty(WEB, "world");
    assertEquals(3, w.pending());
    assertTrue(w.flushNow());
    assertEquals(List.of("shop/in-world-deployment-web", "shop/in-198-51-100-0-24-deployment-web",
        "shop/deployment-web"), keys(store.log()));

    // what the controller's restore reads: every object's source with its edges' destinations
    FlowGraph restored = new FlowGraph();
    store.objects().values().forEach(lf -> ControllerRestore.restoreEdges(restored, lf));
    assertEquals(List.of("198.51.100.0/24 -> shop/Deployment/web 8080/TCP APPROVED 0",
            "shop/Deployment/web -> dns:api.payments.example 443/TCP LEARNED 1",
            "world -> shop/Deployment/web 8080/TCP LEARNED 5"),
        restored.edges().stream().map(v -> v.key().text() + " " + v.status() + " " + v.count()).sorted().toList(),
        "world -> api was never marked: not written");
  }

  @Test
  void aWorkloadReachedFromOutsideOnManyPortsHasItsInboundEdgesPartedByBytesAndRestoredWhole() {
    // world reaches web on 32 ports of each protocol, each edge with the most example pods: about
    // 1 MB of JSON, which one object used to take whole
    String web = HeavyEdges.NS + "/Deployment/web";
    FlowGraph g = new FlowGraph();
    for (int r = 0; r < 2; r++) {
      HeavyEdges.inbound(g, web, 500, HeavyEdges.ids(2000, 32), r, 8);
    }
    List<FlowGraph.EdgeView> inbound = g.edgesFrom("world");
    assertEquals(96, inbound.size());
    FakeLearnedFlowsStore store = new FakeLearnedFlowsStore();
    LearnedFlowsWriter w = new LearnedFlowsWriter(g, store, Runnable::run, null, Duration.ZERO, Backoff.DEFAULT);
    w.dirty("world", web); // a flow report
    assertTrue(w.flushNow());
    List<LearnedFlows> parts = List.copyOf(store.objects().values());
    assertTrue(parts.size() > 1, parts.size() + " object(s)");
    KubernetesSerialization json = new KubernetesSerialization();
    for (LearnedFlows p : parts) {
      int bytes = json.asJson(p).getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
      assertTrue(bytes <= LearnedFlowsParts.BUDGET_BYTES, p.getMetadata().getName() + " is " + bytes + " bytes");
      assertEquals("world", p.getSpec().source, "every part names its source");
    }
    List<String> lastFirst = new ArrayList<>();
    for (int n = parts.size(); n >= 1; n--) {
      lastFirst.add(HeavyEdges.NS + "/" + (n == 1 ? "in-world-deployment-web" : "in-world-deployment--p" + n + "-web"));
    }
    assertEquals(lastFirst, keys(store.log()), "part 1 where the object always was; the last part first");
    assertEquals(parts.stream().map(json::asJson).sorted().toList(),
        LearnedFlowsWriter.inboundObjectsOf("world", web, inbound).stream().map(json::asJson).sorted().toList());

    FlowGraph restored = new FlowGraph();
    parts.forEach(p -> ControllerRestore.restoreEdges(restored, p));
    assertEquals(g.edges(), restored.edges(), "the restore merges the parts");
  }

  /** NAMESPACE/NAME of each object written or deleted, in order. */
  private static List<String> keys(List<FakeLearnedFlowsStore.Op> log) {
    return log.stream().map(FakeLearnedFlowsStore.Op::key).toList();
  }
}
