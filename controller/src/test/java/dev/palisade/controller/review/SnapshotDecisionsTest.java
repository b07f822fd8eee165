package dev.palisade.controller.review;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.controller.api.ApiException;
import dev.palisade.controller.api.Principal;
import dev.palisade.controller.api.Role;
import dev.palisade.controller.api.ViewerReads;
import dev.palisade.controller.graph.EdgeStatus;
import dev.palisade.controller.graph.FlowEdge.EdgeKey;
import dev.palisade.controller.graph.FlowGraph;
import dev.palisade.model.Protocol;
import dev.palisade.model.crd.GraphSnapshot;
import dev.palisade.model.crd.GraphSnapshotSpec;
import dev.palisade.model.crd.ReviewAudit;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import dev.palisade.controller.MockApiServer;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A snapshot is a decision whose object is written off the controller's loop. These are the
 * writes whose answer says nothing certain (a timeout, a dropped connection): the object is read
 * back, and the decision that wrote it is the one that keeps it, on the first try or when its
 * request is sent again; a namesake written by someone else is never taken for it.
 */
@MockApiServer
class SnapshotDecisionsTest {
  static KubernetesClient client;
  private static final Principal ALICE = new Principal("alice", Role.APPROVER);

  private final ExecutorService loopThread = Executors.newSingleThreadExecutor(r -> new Thread(r, "loop"));
  private final ViewerReads.Loop loop = new ViewerReads.Loop() {
    @Override
    public <T> T call(java.util.concurrent.Callable<T> c) {
      try {
        return loopThread.submit(c).get(20, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  };
  private final FlowGraph graph = new FlowGraph();
  private AuditLog audit;
  private Snapshots snapshots;
  private SnapshotDecisions decisions;

  @BeforeEach
  void start() {
    graph.restore(new EdgeKey("shop/Deployment/web", "shop/Deployment/db", Protocol.TCP, 5432), EdgeStatus.APPROVED,
        3, 1_000, 2_000, 0, List.of(), List.of());
    audit = new AuditLog(client).restore();
    snapshots = new Snapshots(client).restore();
    decisions = new SnapshotDecisions(loop, audit, snapshots, graph::edgeViews);
  }

  @AfterEach
  void stop() {
    loopThread.shutdownNow();
    client.resources(GraphSnapshot.class).delete();
    client.resources(ReviewAudit.class).delete();
  }

  /** Creates as the API server would, then loses the answer, as a timeout does. */
  private static Consumer<GraphSnapshot> storedThenLost() {
    return cr -> {
      client.resources(GraphSnapshot.class).resource(cr).create();
      throw new KubernetesClientException("timeout: the answer never came");
    };
  }

  @Test
  void aCreateWhoseAnswerIsLostIsReadBackAndKept() {
    snapshots.writesWith(storedThenLost(), name -> client.resources(GraphSnapshot.class).withName(name).get());
    SnapshotDecisions.Taken t = decisions.take(ALICE, new SnapshotRequest("before-review", null));
    assertEquals(1, t.edges());
    assertEquals(List.of("snapshot before-review"), log());
    assertEquals(List.of("before-review"), loop.call(() -> snapshots.listed().stream().map(Snapshots.Listed::name)
        .toList()));
  }

  @Test
  void aCreateLostAndNotReadBackIsFoundWhenItsRequestIsSentAgain() {
    snapshots.writesWith(storedThenLost(), name -> {
      throw new KubernetesClientException("connection refused");
    });
    ApiException unknown = assertThrows(ApiException.class,
        () -> decisions.take(ALICE, new SnapshotRequest("before-review", "snap-1")));
    assertEquals(503, unknown.status());
    assertTrue(unknown.getMessage().contains("it may be stored"), unknown.getMessage());
    assertEquals(1, client.resources(GraphSnapshot.class).list().getItems().size(), "it was stored");

    // the API server answers again: the create meets the object (409), which names this decision
    snapshots.writesWith(cr -> client.resources(GraphSnapshot.class).resource(cr).create(),
        name -> client.resources(GraphSnapshot.class).withName(name).get());
    SnapshotDecisions.Taken again = decisions.take(ALICE, new SnapshotRequest("before-review", "snap-1"));
    assertTrue(again.repeated());
    assertEquals(1, again.edges());
    assertEquals(List.of("snapshot before-review", "snapshot-failed before-review", "snapshot-kept before-review"),
        log());
    // and once more: answered from the snapshot kept, nothing more audited
    assertTrue(decisions.take(ALICE, new SnapshotRequest("before-review", "snap-1")).repeated());
    assertEquals(3, log().size());
  }

  @Test
  void aNamesakeWrittenBySomeoneElseIsNeverTakenForTheDecisions() {
    GraphSnapshot theirs = new GraphSnapshot();
    theirs.setMetadata(new ObjectMetaBuilder().withName("before-review").build());
    theirs.setSpec(new GraphSnapshotSpec());
    theirs.getSpec().taken = "2026-01-01T00:00:00Z";
    theirs.getSpec().edges = List.of();
    client.resource(theirs).create(); // after the controller's restore: it does not know the name
    ApiException taken = assertThrows(ApiException.class,
        () -> decisions.take(ALICE, new SnapshotRequest("before-review", "snap-2")));
    assertEquals(409, taken.status());
    assertTrue(taken.getMessage().contains("exists already, kept by someone else"), taken.getMessage());
    assertEquals(List.of("snapshot before-review", "snapshot-failed before-review"), log());
    // sent again with its id: still not this decision's
    ApiException again = assertThrows(ApiException.class,
        () -> decisions.take(ALICE, new SnapshotRequest("before-review", "snap-2")));
    assertEquals(409, again.status());
    assertTrue(again.getMessage().contains("did not keep snapshot 'before-review'"), again.getMessage());
    assertEquals("2026-01-01T00:00:00Z", client.resources(GraphSnapshot.class).withName("before-review").get()
        .getSpec().taken, "their object is untouched");
  }

  @Test
  void theLoopDoesNotWaitForTheWriteAndTheNameIsHeldMeanwhile() throws Exception {
    CountDownLatch writing = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    snapshots.writesWith(cr -> {
      writing.countDown();
      try {
        release.await(20, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      client.resources(GraphSnapshot.class).resource(cr).create();
    }, name -> client.resources(GraphSnapshot.class).withName(name).get());
    CompletableFuture<SnapshotDecisions.Taken> first = CompletableFuture.supplyAsync(
        () -> decisions.take(ALICE, new SnapshotRequest("before-review", null)));
    assertTrue(writing.await(20, TimeUnit.SECONDS));
    // the write is under way: the loop answers, and the name is not free
    assertEquals("free", loop.call(() -> "free"));
    ApiException held = assertThrows(ApiException.class,
        () -> decisions.take(ALICE, new SnapshotRequest("before-review", null)));
    assertEquals(409, held.status());
    assertTrue(held.getMessage().contains("is being taken by decision #1"), held.getMessage());
    release.countDown();
    assertEquals(1, first.get(20, TimeUnit.SECONDS).edges());
    assertEquals(List.of("snapshot before-review"), log());
  }

  private List<String> log() {
    return audit.entries().stream().sorted(Comparator.comparingLong(e -> e.seq)).map(e -> e.action + " " + e.target)
        .toList();
  }
}
