package dev.palisade.controller.persist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.controller.graph.FlowGraph;
import dev.palisade.controller.publish.Backoff;
import dev.palisade.model.crd.LearnedFlows;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.Test;

/**
 * Every (source, part) of a namespace has an object of its own: sources whose names look like
 * another's parts keep their own edges, and no stored object of another source is written over.
 */
class LearnedFlowsNamesTest {
  private static final String WEB = "shop/Deployment/web";
  private static final String WEB_P2 = "shop/Deployment/web-p2";
  /** Workloads named as web's parts were (web-pN) or as they look now, with dots and dashes. */
  private static final List<String> LOOKALIKES = List.of(WEB_P2, "shop/Deployment/web-p3", "shop/Deployment/web.p2",
      "shop/Deployment/web-p2.p3", "shop/Deployment/p2-web", "shop/Deployment/web--p2");

  /** web in as many heavy parts as asked, and each lookalike with an edge or two of its own. */
  private static FlowGraph graph(int webEdges) {
    FlowGraph g = new FlowGraph();
    for (int r = 0; r < 2; r++) {
      HeavyEdges.report(g, WEB, HeavyEdges.ids(1000, webEdges), r, 8); // 16 example pods, the most
    }
    for (int i = 0; i < LOOKALIKES.size(); i++) {
      HeavyEdges.report(g, LOOKALIKES.get(i), HeavyEdges.ids(9000 + i, 1 + i % 2), 0, 1);
    }
    return g;
  }

  @Test
  void workloadsNamedLikeAnothersPartsKeepTheirOwnEdgesWhicheverIsWrittenFirst() {
    FlowGraph g = graph(130);
    assertEquals(3, LearnedFlowsWriter.objectsOf(WEB, g.edgesFrom(WEB)).size(), "web in 3 parts");
    List<String> webLast = new ArrayList<>(LOOKALIKES);
    webLast.add(WEB);
    List<String> webFirst = new ArrayList<>(List.of(WEB));
    webFirst.addAll(LOOKALIKES);
    for (List<String> order : List.of(webLast, webFirst)) {
      FakeLearnedFlowsStore store = new FakeLearnedFlowsStore();
      LearnedFlowsWriter w = new LearnedFlowsWriter(g, store, Runnable::run, null, Duration.ZERO, Backoff.DEFAULT);
      order.forEach(w::dirty);
      assertTrue(w.flushNow());
      assertEquals(3 + LOOKALIKES.size(), store.objects().size(), "an object each, written first " + order.get(0));
      assertEquals(edges(g), edges(restored(store.objects().values())), "written first " + order.get(0));
    }
  }

  @Test
  void anOldPartNamedAsAnotherWorkloadsPartOneIsNotWrittenOverAndGoesOnceItsSourceIsWritten() {
    // before the upgrade: web in two parts, its second named as part 1 of web-p2 is now
    FlowGraph before = graph(70);
    List<LearnedFlows> old = LearnedFlowsWriter.objectsOf(WEB, before.edgesFrom(WEB));
    assertEquals(2, old.size());
    old.get(1).getMetadata().setName("deployment-web-p2");
    FakeLearnedFlowsStore store = new FakeLearnedFlowsStore();
    old.forEach(store::write);

    // the controller starts: the restore reads what is stored and hands it to the writer
    FlowGraph g = new FlowGraph();
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    try {
      LearnedFlowsWriter w = new LearnedFlowsWriter(g, store, r -> {}, timer, Duration.ofHours(1), Backoff.DEFAULT);
      store.objects().values().forEach(lf -> {
        ControllerRestore.restoreEdges(g, lf);
        w.adopt(lf);
      });
      assertEquals(1, w.pending(), "web: kept under a name its parts no longer get");
      HeavyEdges.report(g, WEB_P2, HeavyEdges.ids(9000, 2), 0, 1);

      assertTrue(w.flushNow(Set.of(WEB_P2)), "web-p2 first (a decision's)");
      assertEquals(WEB, store.objects().get("shop/deployment-web-p2").getSpec().source, "web's old part not written over");
      assertTrue(json(old.get(1)).equals(json(store.objects().get("shop/deployment-web-p2"))), "left as it was");
      assertEquals(edges(g), edges(restored(store.objects().values())));

      assertTrue(w.flushNow(), "then web: its parts under their names, its old part deleted");
      assertEquals(edges(g), edges(restored(store.objects().values())));
      w.dirty(WEB_P2);
      assertTrue(w.flushNow(), "web-p2 takes its own name, and drops the other");
      assertEquals(List.of("shop/deployment--p2-web", "shop/deployment-web", "shop/deployment-web-p2"),
          List.copyOf(store.objects().keySet()));
      assertEquals(WEB_P2, store.objects().get("shop/deployment-web-p2").getSpec().source);
      assertEquals(edges(g), edges(restored(store.objects().values())));
    } finally {
      timer.shutdownNow();
    }
  }

  @Test
  void anObjectMadeByHandUnderAPartsNameIsLeftAsItIs() {
    FlowGraph g = graph(70);
    LearnedFlows theirs = LearnedFlowsWriter.objectsOf(WEB_P2, g.edgesFrom(WEB_P2)).get(0);
    theirs.getMetadata().setName("deployment--p2-web");
    FakeLearnedFlowsStore store = new FakeLearnedFlowsStore();
    store.write(theirs);
    LearnedFlowsWriter w = new LearnedFlowsWriter(g, store, Runnable::run, null, Duration.ZERO, Backoff.DEFAULT);
    store.objects().values().forEach(w::adopt);
    w.dirty(WEB);
    assertTrue(w.flushNow());
    assertTrue(json(theirs).equals(json(store.objects().get("shop/deployment--p2-web"))), "left as it was");
    assertEquals(3, store.objects().size(), "web's part 2 under another name");
    FlowGraph webOnly = new FlowGraph();
    store.objects().values().stream().filter(lf -> lf.getSpec().source.equals(WEB))
        .forEach(lf -> ControllerRestore.restoreEdges(webOnly, lf));
    assertEquals(edges(g).stream().filter(e -> e.startsWith(WEB + " ")).toList(), edges(webOnly));
  }

  @Test
  void anOutsideSourcesPartsIntoAWorkloadHaveNamesOfTheirOwnAndLeaveAnObjectOfAnotherAsItIs() {
    // world into web in parts, and into workloads named like web's parts; by hand, a copy of world
    // into web-p2 under the name of world into web's part 2
    FlowGraph g = new FlowGraph();
    for (int r = 0; r < 2; r++) {
      HeavyEdges.inbound(g, WEB, 500, HeavyEdges.ids(2000, 32), r, 8);
    }
    for (int i = 0; i < LOOKALIKES.size(); i++) {
      HeavyEdges.inbound(g, LOOKALIKES.get(i), 501 + i, HeavyEdges.ids(3000 + i, 1), 0, 1);
    }
    List<LearnedFlows> webParts = LearnedFlowsWriter.inboundObjectsOf("world", WEB, edgesInto(g, WEB));
    assertEquals(2, webParts.size(), "world into web in 2 parts");
    assertEquals(List.of("in-world-deployment-web", "in-world-deployment--p2-web"),
        webParts.stream().map(p -> p.getMetadata().getName()).toList());
    LearnedFlows theirs = LearnedFlowsWriter.inboundObjectsOf("world", WEB_P2, edgesInto(g, WEB_P2)).get(0);
    theirs.getMetadata().setName("in-world-deployment--p2-web");
    FakeLearnedFlowsStore store = new FakeLearnedFlowsStore();
    store.write(theirs);
    LearnedFlowsWriter w = new LearnedFlowsWriter(g, store, Runnable::run, null, Duration.ZERO, Backoff.DEFAULT);
    store.objects().values().forEach(w::adopt);
    w.dirty("world", WEB); // a flow report
    assertTrue(w.flushNow());
    assertTrue(json(theirs).equals(json(store.objects().get("shop/in-world-deployment--p2-web"))), "left as it was");
    List<String> alternative = store.objects().keySet().stream()
        .filter(k -> k.matches("shop/in-world-deployment--[0-9a-f]{16}")).toList();
    assertEquals(1, alternative.size(), "web's part 2 under another name: " + store.objects().keySet());
    assertEquals(3, store.objects().size());

    w.dirty("world"); // a decision on world's edges: into every workload it enters
    assertTrue(w.flushNow());
    assertEquals(2 + LOOKALIKES.size(), store.objects().size(), "an object each; web-p2's copy went once it was written");
    assertEquals(edges(g), edges(restored(store.objects().values())));

    w.dirty("world", WEB);
    assertTrue(w.flushNow());
    assertTrue(store.objects().containsKey("shop/in-world-deployment--p2-web"), "web's part 2 under its own name");
    assertTrue(!store.objects().containsKey(alternative.get(0)), "and no longer under the other");
    assertEquals(edges(g), edges(restored(store.objects().values())));
  }

  /** The edges from world into {@code workload}. */
  private static List<FlowGraph.EdgeView> edgesInto(FlowGraph g, String workload) {
    return g.edgesFrom("world").stream().filter(e -> e.key().destination().equals(workload)).toList();
  }

  private static FlowGraph restored(Collection<LearnedFlows> stored) {
    FlowGraph g = new FlowGraph();
    stored.forEach(lf -> ControllerRestore.restoreEdges(g, lf));
    return g;
  }

  /** Every edge with all it carries. */
  private static List<String> edges(FlowGraph g) {
    return g.edges().stream().map(v -> v.key().text() + " " + v.status() + " " + v.count() + " " + v.firstSeen()
        + " " + v.lastSeen() + " " + v.sourcePods() + " " + v.destinationPods()).toList();
  }

  private static String json(LearnedFlows lf) {
    return new KubernetesSerialization().asJson(lf);
  }
}
