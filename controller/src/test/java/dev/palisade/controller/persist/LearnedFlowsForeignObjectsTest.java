package dev.palisade.controller.persist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.controller.MockApiServer;
import dev.palisade.controller.ReceivedRequests;
import dev.palisade.controller.graph.FlowGraph;
import dev.palisade.controller.publish.Backoff;
import dev.palisade.model.crd.LearnedFlows;
import dev.palisade.model.crd.LearnedFlowsSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * No LearnedFlows object that is not a holder's own (no source, or another's) is written over or
 * deleted by the writer, not even one made after the restore listed what was there, under a name
 * the writer wants (the API server, in CRUD mode, says what is there): the part takes another name,
 * and every edge is still found by a restore.
 */
@MockApiServer
class LearnedFlowsForeignObjectsTest {
  private static final String WEB = "shop/Deployment/web";
  private static final String WORLD_INTO_WEB = "shop/in-world-deployment-web";

  KubernetesClient client;
  KubernetesMockServer server;

  /** web with one edge of its own, and world into web on 8080 of each protocol if {@code inbound}. */
  private static FlowGraph graph(boolean inbound) {
    FlowGraph g = new FlowGraph();
    HeavyEdges.report(g, WEB, HeavyEdges.ids(1000, 1), 0, 1);
    if (inbound) {
      HeavyEdges.inbound(g, WEB, 500, List.of(8080), 0, 1);
    }
    return g;
  }

  /** Objects others may make under a name the writer wants: none of them names a holder of ours there. */
  private static List<LearnedFlows> foreign(String name) {
    LearnedFlows noSpec = object(name, null);
    LearnedFlows noSource = object(name, new LearnedFlowsSpec());
    noSource.getSpec().edges = List.of();
    LearnedFlowsSpec other = new LearnedFlowsSpec();
    other.source = "shop/Deployment/api";
    LearnedFlowsSpec.Edge e = new LearnedFlowsSpec.Edge();
    e.destination = "shop/Deployment/db";
    e.port = 5432;
    e.protocol = "TCP";
    e.status = "approved";
    other.edges = List.of(e);
    return List.of(noSpec, noSource, object(name, other));
  }

  private static LearnedFlows object(String key, LearnedFlowsSpec spec) {
    LearnedFlows lf = new LearnedFlows();
    lf.setMetadata(new ObjectMetaBuilder().withNamespace(key.split("/")[0]).withName(key.split("/")[1]).build());
    lf.setSpec(spec);
    return lf;
  }

  /** A controller started now: the restore reads what is stored into {@code g} and hands it to a new writer. */
  private LearnedFlowsWriter restart(FlowGraph g) {
    LearnedFlowsWriter w = new LearnedFlowsWriter(g, LearnedFlowsWriter.Store.of(client), Runnable::run, null,
        Duration.ZERO, Backoff.DEFAULT);
    client.resources(LearnedFlows.class).inAnyNamespace().list().getItems().forEach(lf -> {
      ControllerRestore.restoreEdges(g, lf);
      w.adopt(lf);
    });
    return w;
  }

  @Test
  void anObjectMadeAfterTheRestoreUnderANameTheWriterWantsIsNeverWrittenOver() {
    List<LearnedFlows> webs = foreign("shop/deployment-web");
    List<LearnedFlows> ins = foreign(WORLD_INTO_WEB);
    for (int i = 0; i < webs.size(); i++) {
      clear();
      FlowGraph g = graph(true);
      LearnedFlowsWriter w = restart(g); // nothing stored yet
      LearnedFlows made = create(webs.get(i));
      LearnedFlows madeIn = create(ins.get(i));

      for (int round = 1; round <= 2; round++) { // and written again: the same names
        w.dirty(WEB);
        w.dirty("world", WEB);
        assertTrue(w.flushNow());
        assertEquals(json(made), json(stored("shop/deployment-web")), "left as it was: " + made.getSpec());
        assertEquals(json(madeIn), json(stored(WORLD_INTO_WEB)), "left as it was: " + madeIn.getSpec());
        Map<String, LearnedFlows> all = all();
        assertEquals(4, all.size(), "web's and world's into web under other names: " + all.keySet());
        assertTrue(all.keySet().stream().anyMatch(k -> k.matches("shop/deployment--[0-9a-f]{16}")),
            all.keySet().toString());
        assertTrue(all.keySet().stream().anyMatch(k -> k.matches("shop/in-world-deployment--[0-9a-f]{16}")),
            all.keySet().toString());
        assertEquals(edges(g), edges(ours(all.values())), "every edge in an object of its holder");
        HeavyEdges.report(g, WEB, HeavyEdges.ids(1000, 1), round, 1);
      }

      // a restart lists them: one that names no source stays someone else's; one of another source
      // is that source's (its edges restored into the graph; under a name not its own, it is marked
      // to be written under its own names)
      Map<String, LearnedFlows> before = all();
      FlowGraph after = new FlowGraph();
      LearnedFlowsWriter again = restart(after);
      again.dirty(WEB);
      again.dirty("world", WEB);
      assertTrue(again.flushNow());
      if (LearnedFlowsHolder.of(made) == null) {
        assertEquals(json(made), json(stored("shop/deployment-web")));
        assertEquals(json(madeIn), json(stored(WORLD_INTO_WEB)));
        assertEquals(before.keySet(), all().keySet());
      }
      assertEquals(edges(after), edges(all().values().stream().toList()), "every edge stored is found again");
      assertEquals(edges(restoredFrom(before.values())), edges(after));
    }
  }

  @Test
  void anObjectMadeInPlaceOfOneOfOursIsNeitherWrittenOverNorDeleted() throws Exception {
    FlowGraph g = graph(false);
    LearnedFlowsWriter w = restart(g);
    w.dirty(WEB);
    assertTrue(w.flushNow());
    ReceivedRequests requests = new ReceivedRequests(server);
    requests.methodsSinceLastCall();
    HeavyEdges.report(g, WEB, HeavyEdges.ids(1000, 1), 1, 1);
    w.dirty(WEB);
    assertTrue(w.flushNow());
    assertEquals(List.of("PUT"), requests.methodsSinceLastCall(), "ours at the version written last: one request");

    // someone deletes web's object and makes one of theirs under its name
    client.resources(LearnedFlows.class).inNamespace("shop").withName("deployment-web").delete();
    LearnedFlows made = create(foreign("shop/deployment-web").get(2));
    HeavyEdges.report(g, WEB, HeavyEdges.ids(1000, 1), 2, 1);
    w.dirty(WEB);
    assertTrue(w.flushNow());
    assertEquals(json(made), json(stored("shop/deployment-web")), "the PUT at our version refused, theirs read and left");
    assertEquals(edges(g), edges(ours(all().values())));

    // theirs goes, and web's part 1 comes back to its own name: the other name is web's, deleted ...
    client.resources(LearnedFlows.class).inNamespace("shop").withName("deployment-web").delete();
    LearnedFlowsWriter fresh = restart(g);
    String other = all().keySet().stream().filter(k -> k.matches("shop/deployment--[0-9a-f]{16}")).findFirst()
        .orElseThrow();
    // ... unless someone made an object of theirs there meanwhile: not web's, not deleted
    client.resources(LearnedFlows.class).inNamespace("shop").withName(other.split("/")[1]).delete();
    LearnedFlows there = create(foreign(other).get(1));
    fresh.dirty(WEB);
    assertTrue(fresh.flushNow());
    assertEquals(json(there), json(stored(other)), "not web's any more: not deleted");
    assertEquals(WEB, stored("shop/deployment-web").getSpec().source);
    assertEquals(edges(g), edges(ours(all().values())));
  }

  @Test
  void anObjectOfTheSameHolderIsWrittenOverAtItsVersion() {
    FlowGraph g = graph(false);
    LearnedFlowsWriter w = restart(g);
    w.dirty(WEB);
    assertTrue(w.flushNow());
    // edited by someone (its source kept: still web's), then a write of ours
    LearnedFlows edited = stored("shop/deployment-web");
    edited.getSpec().edges = List.of();
    client.resources(LearnedFlows.class).inNamespace("shop").resource(edited).update();
    w.dirty(WEB);
    assertTrue(w.flushNow());
    assertEquals(edges(g), edges(ours(all().values())));
    assertEquals(1, all().size());
  }

  private String json(LearnedFlows o) {
    return client.getKubernetesSerialization().asJson(o);
  }

  private LearnedFlows create(LearnedFlows o) {
    return client.resources(LearnedFlows.class).inNamespace(o.getMetadata().getNamespace()).resource(o).create();
  }

  private LearnedFlows stored(String key) {
    return client.resources(LearnedFlows.class).inNamespace(key.split("/")[0]).withName(key.split("/")[1]).get();
  }

  private Map<String, LearnedFlows> all() {
    Map<String, LearnedFlows> out = new TreeMap<>();
    client.resources(LearnedFlows.class).inAnyNamespace().list().getItems().forEach(lf -> out.put(
        FakeLearnedFlowsStore.key(lf), lf));
    return out;
  }

  private void clear() {
    client.resources(LearnedFlows.class).inAnyNamespace().list().getItems().forEach(lf -> client
        .resources(LearnedFlows.class).inNamespace(lf.getMetadata().getNamespace()).withName(lf.getMetadata().getName())
        .delete());
  }

  private static FlowGraph restoredFrom(java.util.Collection<LearnedFlows> stored) {
    FlowGraph g = new FlowGraph();
    stored.forEach(lf -> ControllerRestore.restoreEdges(g, lf));
    return g;
  }

  /** The objects that name a holder (the writer's, or ones it may take as its holder's). */
  private static List<LearnedFlows> ours(java.util.Collection<LearnedFlows> stored) {
    return stored.stream().filter(lf -> LearnedFlowsHolder.of(lf) != null
        && !lf.getSpec().source.equals("shop/Deployment/api")).toList();
  }

  private static List<String> edges(FlowGraph g) {
    return g.edges().stream().map(v -> v.key().text() + " " + v.status() + " " + v.count() + " " + v.lastSeen())
        .toList();
  }

  private static List<String> edges(List<LearnedFlows> stored) {
    return edges(restoredFrom(stored));
  }

}
