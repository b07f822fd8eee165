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

  /** web -> n destinations, each edge with the most example pods an edge keeps, long names. */
  private static FlowGraph hub(int n) {
    FlowGraph g = new FlowGraph();
    List<String> pods = IntStream.range(0, 8).mapToObj(i -> "shop/web-" + "x".repeat(60) + "-" + i).toList();
    List<FlowRecord> records = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      records.add(new FlowRecord(new FlowKey(300, 1000 + i, Protocol.TCP, 8080), 1, 1, 2, pods, pods));
    }
    g.ingest(new FlowReport("n", 1, records),
        id -> id == 300 ? WEB : "shop/Deployment/dst-" + "y".repeat(40) + "-" + id);
    return g;
  }

  @Test
  void aSourceWithManyEdgesIsKeptInPartsEachFarBelowTheApiServersLimit() {
    FlowGraph g = hub(1201);
    List<LearnedFlows> parts = LearnedFlowsWriter.objectsOf(WEB, g.edgesFrom(WEB));
    assertEquals(List.of("deployment-web", "deployment-web-p2", "deployment-web-p3"),
        parts.stream().map(p -> p.getMetadata().getName()).toList());
    assertEquals(List.of(500, 500, 201), parts.stream().map(p -> p.getSpec().edges.size()).toList());
    KubernetesSerialization json = new KubernetesSerialization();
    for (LearnedFlows p : parts) {
      assertEquals(WEB, p.getSpec().source, "every part names its source");
      int bytes = json.asJson(p).length();
      assertTrue(bytes < 1024 * 1024, p.getMetadata().getName() + " is " + bytes + " bytes");
    }
    assertEquals(1, LearnedFlowsWriter.objectsOf(WEB, List.of()).size(), "no edges: one empty object");
  }

  @Test
  void reportsMarkSourcesDirtyAndABatchWritesEachOnce() throws Exception {
    FlowGraph g = hub(3);
    List<String> written = new ArrayList<>();
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor();
    try {
      LearnedFlowsWriter w = new LearnedFlowsWriter(g, lf -> written.add(lf.getMetadata().getName()), loop::execute,
          timer, Duration.ofMillis(200), Backoff.DEFAULT);
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
      assertEquals(List.of("deployment-web"), loop.submit(() -> List.copyOf(written)).get(),
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
    List<String> written = new ArrayList<>();
    List<Runnable> timers = java.util.Collections.synchronizedList(new ArrayList<>());
    ScheduledExecutorService timer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
    // the timer's task is only recorded; the test runs each batch by hand
    LearnedFlowsWriter w = new LearnedFlowsWriter(g, lf -> written.add(lf.getSpec().source), timers::add,
        timer, Duration.ofMillis(1), Backoff.DEFAULT, 10);
    try {
      for (int i = 0; i < 25; i++) {
        w.dirty("shop/Deployment/w" + (1000 + i));
      }
      assertTrue(w.flushNow(java.util.Set.of("shop/Deployment/w1024")));
      assertEquals(List.of("shop/Deployment/w1024"), written, "a decision writes its own source only");
      written.clear();
      long deadline = System.nanoTime() + 5_000_000_000L;
      List<Integer> perBatch = new ArrayList<>();
      while (w.pending() > 0) {
        assertTrue(System.nanoTime() < deadline, "not flushed: " + w.pending());
        Runnable next;
        synchronized (timers) {
          next = timers.isEmpty() ? null : timers.remove(0);
        }
        if (next != null) {
          int before = written.size();
          next.run();
          perBatch.add(written.size() - before);
        }
      }
      assertEquals(List.of(10, 10, 4), perBatch, "oldest first, at most 10 objects a batch");
      assertEquals(24, new java.util.HashSet<>(written).size());
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
    List<LearnedFlows> written = new ArrayList<>();
    LearnedFlowsWriter w = new LearnedFlowsWriter(g, written::add, Runnable::run, null, Duration.ZERO, Backoff.DEFAULT);
    w.dirty("world", WEB); // a flow report
    w.dirty("198.51.100.0/24"); // a review decision
    w.dirty("host", WEB); // not kept
    w.dirty(WEB, "world");
    assertEquals(3, w.pending());
    assertTrue(w.flushNow());
    assertEquals(List.of("shop/in-world-deployment-web", "shop/in-198-51-100-0-24-deployment-web",
        "shop/deployment-web"), written.stream().map(o -> o.getMetadata().getNamespace() + "/"
        + o.getMetadata().getName()).toList());

    // what the controller's restore reads: every object's source with its edges' destinations
    FlowGraph restored = new FlowGraph();
    for (LearnedFlows lf : written) {
      for (var e : lf.getSpec().edges) {
        restored.restore(new dev.palisade.controller.graph.FlowEdge.EdgeKey(lf.getSpec().source, e.destination,
            Protocol.parse(e.protocol), e.port), dev.palisade.controller.graph.EdgeStatus.valueOf(
            e.status.toUpperCase(java.util.Locale.ROOT)), e.count, e.firstSeen, e.lastSeen, e.violations,
            e.sourcePods, e.destinationPods);
      }
    }
    assertEquals(List.of("198.51.100.0/24 -> shop/Deployment/web 8080/TCP APPROVED 0",
            "shop/Deployment/web -> dns:api.payments.example 443/TCP LEARNED 1",
            "world -> shop/Deployment/web 8080/TCP LEARNED 5"),
        restored.edges().stream().map(v -> v.key().text() + " " + v.status() + " " + v.count()).sorted().toList(),
        "world -> api was never marked: not written");
  }
}
