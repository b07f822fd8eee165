package dev.palisade.controller.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.controller.api.StaticTokens;
import dev.palisade.model.Mode;
import dev.palisade.model.crd.WorkloadIdentity;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Two controller replicas against one API server (fabric8's mock in CRUD mode): one writes at a time. */
class ControllerLeadershipTest {
  private static final String NS = "palisade-system";
  /** Short on purpose; the assertions only use a generous deadline, never these exact times. */
  private static final ControllerLeadership.Timing FAST = new ControllerLeadership.Timing(Duration.ofSeconds(2),
      Duration.ofMillis(1500), Duration.ofMillis(300));
  private static final Duration DEADLINE = Duration.ofSeconds(20);

  /** A fresh CRUD-mode API server per test: no Lease or identity of one test is seen by the next. */
  private KubernetesMockServer server;
  private KubernetesClient client;

  private final List<KubernetesClient> clients = new ArrayList<>();
  private final List<ControllerLeadership> replicas = new ArrayList<>();
  /** Controllers each replica created: a replica that never created one never wrote. */
  private final Map<String, AtomicInteger> created = new ConcurrentHashMap<>();
  private final Map<String, PalisadeController> last = new ConcurrentHashMap<>();

  @BeforeEach
  void startServer() {
    server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        new KubernetesCrudDispatcher(), false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    client = server.createClient();
  }

  @AfterEach
  void stop() {
    replicas.forEach(ControllerLeadership::abandon);
    clients.forEach(KubernetesClient::close);
    client.close();
    server.destroy();
  }

  /** A replica as a pod would run it: its own client, identity = pod name. */
  private ControllerLeadership replica(String pod) {
    KubernetesClient own = server.createClient();
    clients.add(own);
    created.put(pod, new AtomicInteger());
    ControllerLeadership l = new ControllerLeadership(own, NS, pod, FAST, () -> {
      created.get(pod).incrementAndGet();
      PalisadeController c = new PalisadeController(own, new StaticTokens(), Mode.LEARN);
      last.put(pod, c);
      return c;
    }, c -> c.start("127.0.0.1", 0, Duration.ofSeconds(20)));
    replicas.add(l);
    return l.start();
  }

  private void deploymentPod(String deploy) {
    String rs = deploy + "-5d8f";
    client.apps().replicaSets().inNamespace("shop").resource(new ReplicaSetBuilder().withMetadata(new ObjectMetaBuilder()
        .withNamespace("shop").withName(rs).withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("apps/v1")
            .withKind("Deployment").withName(deploy).withUid("d-" + deploy).withController(true).build()).build())
        .build()).createOr(x -> x.update());
    client.pods().inNamespace("shop").resource(new PodBuilder().withMetadata(new ObjectMetaBuilder()
        .withNamespace("shop").withName(rs + "-aaaaa").withLabels(Map.of("app", deploy, "pod-template-hash", "5d8f"))
        .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("apps/v1").withKind("ReplicaSet").withName(rs)
            .withUid("r-" + rs).withController(true).build()).build()).build()).createOr(x -> x.update());
  }

  private boolean identityExists(String deploy) {
    return client.resources(WorkloadIdentity.class).inNamespace("shop").withName("deployment-" + deploy).get() != null;
  }

  private String holder() {
    Lease lease = client.leases().inNamespace(NS).withName(ControllerLeadership.LEASE).get();
    return lease == null ? null : lease.getSpec().getHolderIdentity();
  }

  private static void eventually(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + DEADLINE + ": " + what);
      }
      Thread.sleep(50);
    }
  }

  @Test
  void oneLeadsAndWritesAndTheOtherTakesOverAfterACrash() throws Exception {
    deploymentPod("web");
    ControllerLeadership a = replica("controller-a");
    ControllerLeadership b = replica("controller-b");
    eventually(() -> a.ready() || b.ready(), "a leader serves");
    ControllerLeadership leader = a.ready() ? a : b;
    ControllerLeadership follower = leader == a ? b : a;
    String leaderPod = leader == a ? "controller-a" : "controller-b";
    String followerPod = leader == a ? "controller-b" : "controller-a";
    assertEquals(leaderPod, holder());
    eventually(() -> identityExists("web"), "the leader writes WorkloadIdentities");

    // several renewals later the follower still waits and has created no controller, so wrote nothing
    Thread.sleep(FAST.lease().toMillis() * 2);
    assertFalse(follower.ready());
    assertEquals(0, created.get(followerPod).get(), "the follower built a controller");
    assertEquals(1, created.get(leaderPod).get());
    assertEquals(leaderPod, holder());

    // the leader dies without releasing the lease
    leader.abandon();
    assertFalse(leader.ready());
    assertEquals(leaderPod, holder(), "a crash does not release the lease");
    assertTrue(leader.lost().isDone());
    deploymentPod("api"); // only a live controller can give it an identity

    eventually(follower::ready, "the follower takes over once the lease expires");
    assertEquals(followerPod, holder());
    eventually(() -> identityExists("api"), "the new leader writes");
    assertEquals(1, created.get(followerPod).get());
    assertEquals(1, created.get(leaderPod).get(), "the crashed replica did not come back");
  }

  @Test
  void aClosedLeaderHandsOverAndItsControllerStopsServing() throws Exception {
    deploymentPod("web");
    ControllerLeadership a = replica("controller-a");
    eventually(a::ready, "a lone replica leads");
    int port = last.get("controller-a").port();
    ControllerLeadership b = replica("controller-b");
    a.close();
    assertNotNull(client.leases().inNamespace(NS).withName(ControllerLeadership.LEASE).get());
    // its HTTP API is gone: agents and the Service move to the new leader
    assertFalse(listening(port), "the old leader's API still answers");
    eventually(b::ready, "the other replica leads after a graceful hand-over");
    assertEquals("controller-b", holder());
  }

  @Test
  void aLeaderThatFindsItsLeaseTakenStopsWriting() throws Exception {
    deploymentPod("web");
    ControllerLeadership a = replica("controller-a");
    eventually(a::ready, "a lone replica leads");
    int port = last.get("controller-a").port();
    // another holder wrote the lease (a partition healed, an operator's edit): a must step down
    // The leader renews concurrently, so this write can meet a newer version (409): write again.
    for (int attempt = 0; ; attempt++) {
      try {
        client.leases().inNamespace(NS).withName(ControllerLeadership.LEASE).edit(l -> {
          l.getSpec().setHolderIdentity("intruder");
          l.getSpec().setRenewTime(java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC));
          l.getSpec().setLeaseDurationSeconds(600);
          return l;
        });
        break;
      } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
        if (e.getCode() != 409 || attempt >= 20) {
          throw e;
        }
      }
    }
    eventually(() -> a.lost().isDone(), "the leader notices at its next renewal");
    assertFalse(a.ready());
    assertFalse(listening(port), "its controller still serves");
    deploymentPod("api");
    Thread.sleep(FAST.lease().toMillis());
    assertFalse(identityExists("api"), "a replica that lost the lease still writes");
    assertEquals("intruder", holder());
  }

  private static boolean listening(int port) {
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
      return true;
    } catch (java.io.IOException e) {
      return false;
    }
  }
}
