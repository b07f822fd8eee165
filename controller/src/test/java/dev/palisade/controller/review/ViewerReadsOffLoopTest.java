package dev.palisade.controller.review;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.controller.MockApiServer;
import dev.palisade.controller.api.EmbeddedHttp;
import dev.palisade.controller.api.Principal;
import dev.palisade.controller.api.Role;
import dev.palisade.controller.api.Router;
import dev.palisade.controller.api.StaticTokens;
import dev.palisade.controller.api.ViewerReads;
import dev.palisade.controller.api.endpoints.AuditEndpoint;
import dev.palisade.controller.api.endpoints.DropsEndpoint;
import dev.palisade.controller.api.endpoints.ExportEndpoints;
import dev.palisade.controller.api.endpoints.ModeEndpoints;
import dev.palisade.controller.api.endpoints.SnapshotEndpoints;
import dev.palisade.controller.api.endpoints.GraphEndpoint;
import dev.palisade.controller.approved.ApprovedGraphIndex;
import dev.palisade.controller.events.DropEvents;
import dev.palisade.controller.events.DropIntake;
import dev.palisade.controller.events.EventCorrelator;
import dev.palisade.controller.events.PolicyReportWriter;
import dev.palisade.controller.graph.EdgeStatus;
import dev.palisade.controller.graph.FlowEdge.EdgeKey;
import dev.palisade.controller.graph.FlowGraph;
import dev.palisade.controller.guardrail.GuardrailRouting;
import dev.palisade.controller.request.AccessRequestCheck;
import dev.palisade.controller.request.AccessRequestEndpoints;
import dev.palisade.controller.request.AccessRequestQueue;
import dev.palisade.model.DropEvent;
import dev.palisade.model.Mode;
import dev.palisade.model.Protocol;
import dev.palisade.model.crd.AccessRequest;
import dev.palisade.model.crd.AccessRequestSpec;
import dev.palisade.model.crd.GraphSnapshotSpec;
import dev.palisade.model.crd.SegmentationMode;
import dev.palisade.model.json.DropReportJson;
import dev.palisade.model.crd.SegmentationModeSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * Issue 17, "viewer reads never delay agents' reports": each viewer read of the review API takes
 * its copy of the controller's state on the loop and writes its answer (JSON, YAML, DOT, GraphML)
 * on the viewer's thread. The loop here is a thread of its own, as the controller's is; the
 * answers' writer is watched for the thread it runs on, every read of the controller's state for
 * being on the loop (the copy is of one moment, nothing live is read off it), and what the loop
 * hands back for being a copy, not the answer's text already written there.
 */
@MockApiServer
class ViewerReadsOffLoopTest {
  static KubernetesClient client;
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final String LOOP = "fake-controller-loop";
  private static final String WEB = "shop/Deployment/web";
  private static final String DB = "shop/Deployment/db";

  private final ExecutorService loop = Executors.newSingleThreadExecutor(r -> new Thread(r, LOOP));
  private final FlowGraph graph = new FlowGraph();
  /** Route -> the thread its answer was written on. */
  private final Map<String, String> writtenOn = new ConcurrentHashMap<>();
  /** Reads of the controller's state that were not on the loop. */
  private final List<String> readOffLoop = new java.util.concurrent.CopyOnWriteArrayList<>();
  /** Text the loop handed back: an answer written on the loop, not a copy of the state. */
  private final List<String> writtenOnLoop = new java.util.concurrent.CopyOnWriteArrayList<>();
  /** Everything the loop handed back, in order. */
  private final List<Object> copies = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final LoopBackend backend = new LoopBackend();
  /** Writes each answer where it is asked to, noting on which thread. */
  private final ViewerReads.AnswerWriter watched = (route, answer) -> {
    writtenOn.put(route, Thread.currentThread().getName());
    return answer.get();
  };
  private final StaticTokens tokens = new StaticTokens();
  private final String viewer = tokens.issue(new Principal("vera", Role.VIEWER));

  /** The drops' intake, whose writers have threads of their own. */
  private DropIntake drops;
  private SharedIndexInformer<AccessRequest> informer;

  @AfterEach
  void stop() {
    loop.shutdownNow();
    if (drops != null) {
      drops.close();
    }
    if (informer != null) {
      informer.stop();
    }
  }

  @Test
  void everyViewerReadCopiesOnTheLoopAndWritesItsAnswerOffIt() throws Exception {
    graph.restore(new EdgeKey(WEB, DB, Protocol.TCP, 5432), EdgeStatus.APPROVED, 3, 1_000, 2_000, 0,
        List.of("shop/web-1"), List.of("shop/db-1"));
    graph.restore(new EdgeKey(WEB, "dns:api.example", Protocol.TCP, 443), EdgeStatus.APPROVED, 1, 1_000, 2_000, 0,
        List.of("shop/web-1"), List.of());
    Snapshots snapshots = new Snapshots(client);
    Snapshots.Written before = snapshots.write("before", "alice", List.of(), 1);
    loop.submit(() -> snapshots.kept("before", ((Snapshots.Written.Kept) before).spec(), 1)).get();
    // wired as PalisadeController wires them, over this test's loop
    ViewerReads reads = new ViewerReads(backend::onLoop, watched);
    Router routes = new ModeEndpoints(reads, () -> ModeSettings.of(backend.defaultMode(), backend.modes()),
        (who, req) -> { throw new AssertionError("no decision here"); }).addTo(new Router());
    new SnapshotEndpoints(reads, new SnapshotEndpoints.Kept() {
      @Override
      public List<Snapshots.Listed> listed() {
        backend.read("snapshots");
        return snapshots.listed();
      }

      @Override
      public java.util.Optional<List<GraphSnapshotSpec.Edge>> edgesOf(String name) {
        backend.read("snapshot " + name);
        return snapshots.edgesOf(name);
      }

      @Override
      public List<FlowGraph.EdgeView> edgesNow() {
        return backend.graph().edgeViews();
      }
    }, (who, req) -> { throw new AssertionError("no decision here"); }).addTo(routes);
    new ExportEndpoints(reads, new ExportEndpoints.Graph() {
      @Override
      public FlowGraph.Picture picture() {
        return backend.graph().picture();
      }

      @Override
      public Map<String, String> labelsOf(String vertex) {
        return backend.labelsOf(vertex);
      }
    }, name -> List.of("203.0.113.5")).addTo(routes); // a resolver is asked off the loop: not the controller's state
    AuditLog audit = new AuditLog(client);
    new AuditEndpoint(reads, () -> {
      backend.read("audit");
      return audit.entries();
    }).addTo(routes);
    EmbeddedHttp http = new EmbeddedHttp(routes, tokens, p -> false, 1 << 20);

    Map<String, String> expected = Map.of(
        "/v1/modes", "\"mode\":\"monitor\"",
        "/v1/snapshots", "\"name\":\"before\"",
        "/v1/export/networkpolicy?namespace=shop", "203.0.113.5/32",
        "/v1/export/dot", "digraph",
        "/v1/export/graphml", "<graphml",
        "/v1/audit", "[",
        "/v1/diff?since=before", "\"added\":[{");
    expected.forEach((path, part) -> {
      EmbeddedHttp.Answer a = http.send("GET", path, viewer, "");
      assertEquals(200, a.status(), path + ": " + a.body());
      assertTrue(a.body().contains(part), path + " answers " + a.body());
    });

    assertAnsweredOffTheLoop(expected.keySet());
  }

  /**
   * The controller's other viewer reads, wired as PalisadeController wires them: the graph is
   * copied on the loop in the graph's own order and sorted off it; the newest drops and the access
   * requests' entries are copied there, and ordered and written off it.
   */
  @Test
  void theControllersOtherViewerReadsCopyOnTheLoopAndAnswerOffIt() throws Exception {
    // 40 edges to as many workloads: the graph holds them in hash order, which is not key order
    List<String> services = new java.util.ArrayList<>();
    for (int i = 0; i < 40; i++) {
      services.add("shop/Deployment/svc-" + i);
      graph.restore(new EdgeKey(WEB, services.get(i), Protocol.TCP, 8080), EdgeStatus.LEARNED, 1, 1_000, 2_000, 0,
          List.of("shop/web-1"), List.of());
    }
    ViewerReads reads = new ViewerReads(backend::onLoop, watched);
    AuditLog audit = new AuditLog(client);
    Router routes = new GraphEndpoint(reads, () -> GraphJson.snapshot(7, backend.graph().edgeViews(),
        ApprovedGraphIndex.EMPTY, new GuardrailRouting(audit), Set.of())).addTo(new Router());
    drops = new DropIntake(new DropEvents(QUIET), new PolicyReportWriter(client));
    DropIntake.Graph judged = new DropIntake.Graph() {
      @Override
      public String vertexOf(long identity) {
        return identity == 300 ? WEB : DB;
      }

      @Override
      public boolean rejected(EdgeKey edge) {
        return false;
      }

      @Override
      public void violation(EdgeKey edge) {}
    };
    new DropsEndpoint(DropsEndpoint.DropLog.of(report -> backend.onLoop(() -> {
      drops.accept(report, judged);
      return null;
    }), drops::recent), reads).addTo(routes);
    AccessRequestQueue queue = new AccessRequestQueue(graph, audit, new EdgeDecisions(graph, audit,
        new EdgeDecisions.Effects() {
          @Override
          public void save(Set<String> sources) {}

          @Override
          public long publish(List<EdgeKey> changed) {
            return 7;
          }
        }), AccessRequestCheck.ends((ns, kind, name) -> Set.of(WEB, DB).contains(ns + "/" + kind + "/" + name),
        pod -> java.util.Optional.empty()), (r, status) -> {}, Runnable::run);
    informer = client.resources(AccessRequest.class).inAnyNamespace().inform();
    queue.watching(informer);
    new AccessRequestEndpoints(reads, queue::entries,
        (who, d) -> backend.onLoop(() -> queue.decideAndShow(who, d, 7))).addTo(routes);
    EmbeddedHttp http = new EmbeddedHttp(routes, tokens, p -> false, 1 << 20);

    EmbeddedHttp.Answer g = http.send("GET", "/v1/graph", viewer, "");
    assertEquals(200, g.status(), g.body());
    List<String> listed = new java.util.ArrayList<>();
    JSON.readTree(g.body()).path("edges").forEach(e -> listed.add(e.path("destination").asString()));
    assertEquals(services.stream().sorted().toList(), listed, "the answer lists the edges in key order");
    GraphJson.Snapshot copied = copies.stream().filter(GraphJson.Snapshot.class::isInstance)
        .map(GraphJson.Snapshot.class::cast).findFirst().orElseThrow();
    assertTrue(!copied.rows().stream().map(r -> r.edge().key().destination()).toList().equals(listed),
        "the loop handed the edges over as the graph holds them, unsorted: the sort is the viewer's work");

    String node = tokens.issue(new Principal("node-a", Role.AGENT));
    EmbeddedHttp.Answer posted = http.send("POST", "/v1/drops", node, DropReportJson.write("node-a",
        List.of(new DropEvent("enforce", "in", 300, 301, Protocol.TCP, 5432, 1_000, "shop/web-1", "shop/db-1"))));
    assertEquals(200, posted.status(), posted.body());
    EmbeddedHttp.Answer d = http.send("GET", "/v1/drops", viewer, "");
    assertEquals(200, d.status(), d.body());
    assertTrue(d.body().startsWith("{\"total\":1,") && d.body().contains("\"destination\":\"" + DB + "\""), d.body());

    request("to-ghost", "shop/Deployment/ghost");
    request("to-db", DB);
    EmbeddedHttp.Answer q = http.send("GET", "/v1/requests", viewer, "");
    assertEquals(200, q.status(), q.body());
    List<String> queued = new java.util.ArrayList<>();
    JSON.readTree(q.body()).forEach(e -> queued.add(e.path("name").asString() + " " + e.path("phase").asString()));
    assertEquals(List.of("to-db Pending", "to-ghost Invalid"), queued, "pending first: " + q.body());

    assertAnsweredOffTheLoop(Set.of("/v1/graph", "/v1/drops", "/v1/requests"));
  }

  /** Files an AccessRequest from web to {@code destination} port 5432, and waits until the informer has it. */
  private void request(String name, String destination) throws InterruptedException {
    AccessRequest r = new AccessRequest();
    r.setMetadata(new ObjectMetaBuilder().withNamespace("shop").withName(name).withUid("uid-" + name)
        .withGeneration(1L).build());
    r.setSpec(new AccessRequestSpec());
    r.getSpec().source = WEB;
    r.getSpec().destination = destination;
    r.getSpec().port = 5432;
    r.getSpec().protocol = "TCP";
    r.getSpec().reason = "the report job reads the orders";
    client.resource(r).create();
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (informer.getStore().getByKey("shop/" + name) == null) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the informer never saw shop/" + name);
      }
      Thread.sleep(10);
    }
  }

  /** Events go nowhere: the drops' answer is what is watched here. */
  private static final DropEvents.EventSink QUIET = new DropEvents.EventSink() {
    @Override
    public void create(EventCorrelator.Write w, String message) {}

    @Override
    public void patch(EventCorrelator.Write w) {}
  };

  /**
   * Each path's answer went through the writer, off the loop; the loop read the state and handed
   * back copies of it, never an answer's text.
   */
  private void assertAnsweredOffTheLoop(Set<String> paths) {
    Set<String> routes = paths.stream().map(p -> p.replaceFirst("\\?.*", "")).collect(Collectors.toSet());
    assertAll(
        () -> assertEquals(routes, writtenOn.keySet(), "every read's answer went through the writer"),
        () -> assertEquals(Set.of(), writtenOn.entrySet().stream().filter(e -> LOOP.equals(e.getValue()))
            .map(Map.Entry::getKey).collect(Collectors.toSet()), "answers written on the loop"),
        () -> assertEquals(List.of(), readOffLoop, "the controller's state is read on the loop only"),
        () -> assertEquals(List.of(), writtenOnLoop, "answers written on the loop and handed back as text"));
  }

  /** The controller as the endpoints see it: its loop a thread of its own, its state readable only there. */
  private final class LoopBackend {
    <T> T onLoop(Callable<T> c) {
      Future<T> f = loop.submit(c);
      try {
        T copy = f.get();
        copies.add(copy);
        if (copy instanceof CharSequence text) {
          writtenOnLoop.add(text.toString());
        }
        return copy;
      } catch (ExecutionException e) {
        throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }

    void read(String what) {
      if (!LOOP.equals(Thread.currentThread().getName())) {
        readOffLoop.add(what + " on " + Thread.currentThread().getName());
      }
    }

    FlowGraph graph() {
      read("graph");
      return graph;
    }

    Map<String, String> labelsOf(String vertex) {
      read("labels of " + vertex);
      return Map.of("app", vertex.substring(vertex.lastIndexOf('/') + 1));
    }

    List<SegmentationMode> modes() {
      read("modes");
      SegmentationMode m = new SegmentationMode();
      m.setMetadata(new ObjectMetaBuilder().withNamespace("shop").withName("web").build());
      m.setSpec(new SegmentationModeSpec());
      m.getSpec().workload = "Deployment/web";
      m.getSpec().mode = "monitor";
      return List.of(m);
    }

    Mode defaultMode() {
      read("default mode");
      return Mode.LEARN;
    }
  }
}
