package dev.palisade.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.lab.cluster.Lab;
import dev.palisade.lab.daemon.LabTokens;
import dev.palisade.lab.daemon.PalisadeProcesses;
import dev.palisade.lab.daemon.SupervisedProcess;
import dev.palisade.lab.net.LabNetwork;
import dev.palisade.lab.net.Prober;
import dev.palisade.model.crd.AllowList;
import dev.palisade.model.crd.WorkloadIdentity;
import dev.palisade.testkit.KernelTest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Issue 17: the controller process is killed -9 twenty times while an approver sends a stream of
 * review decisions (web -> db approved, unreviewed, approved, ...; each with its own request id,
 * sent again with that id until answered), a second one a stream of mode decisions (web: learn,
 * monitor, learn, ...), and the agent streams flow reports of web's real connections. Every
 * decision answered 2xx is in the audit log exactly once; the last review decision is what the
 * graph says, what the published AllowList carries and, once shop is enforced, what the kernel
 * does; the last mode decision is what web's SegmentationMode says. A third streams snapshots
 * (each with its id): every one answered 2xx is kept and audited once.
 */
@KernelTest
class ControllerKilledIT {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final String APP = """
      apiVersion: v1
      kind: Namespace
      metadata: {name: shop}
      ---
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web, namespace: shop}
      spec:
        replicas: 1
        selector: {matchLabels: {app: web}}
        template:
          metadata: {labels: {app: web}}
          spec:
            containers:
            - name: web
              command: [sh, -c, "while true; do python3 -c 'import socket; socket.create_connection((\\"db.shop.svc.cluster.local\\", 5432), 1).close()'; sleep 0.5; done"]
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: db, namespace: shop}
      spec:
        selector: {app: db}
        ports: [{port: 5432, targetPort: 5432}]
      ---
      apiVersion: apps/v1
      kind: StatefulSet
      metadata: {name: db, namespace: shop}
      spec:
        replicas: 1
        serviceName: db
        selector: {matchLabels: {app: db}}
        template:
          metadata: {labels: {app: db}}
          spec: {containers: [{name: db, image: db, ports: [{containerPort: 5432}]}]}
      """;
  private static final String EDGE = "{\"from\":\"shop/Deployment/web\",\"to\":\"shop/StatefulSet/db\",\"port\":5432,"
      + "\"protocol\":\"TCP\"}";

  /** About five decisions a second: a review pace far above a team's, not a load test of the lab API server. */
  private static final long DECISION_PAUSE_MS = 200;

  private PalisadeProcesses palisade;

  @Test
  void everyAnsweredDecisionIsAuditedOnceAndInForceAfterTwentyKills(@TempDir Path dir) throws Exception {
    try (Lab lab = Lab.startBare("ck" + ProcessHandle.current().pid() % 100000, 1);
        PalisadeProcesses p = PalisadeProcesses.start(lab, LabCommand.launcher(), dir, LabTokens.of(lab.api()),
            Duration.ofSeconds(120))) {
      palisade = p;
      lab.apply(APP);
      lab.awaitReady(Duration.ofSeconds(60));
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (!get("/v1/graph").contains("\"source\":\"shop/Deployment/web\",\"destination\":\"shop/StatefulSet/db\"")) {
        assertTrue(System.nanoTime() < deadline, "web -> db not learned");
        Thread.sleep(300);
      }
      Thread.sleep(2000); // saved (LearnedFlows are written within a second)

      // the approver: decision N sets web -> db approved (N odd) or learned (N even), sent again
      // with its id until some controller answers it
      AtomicBoolean stop = new AtomicBoolean();
      AtomicInteger answered = new AtomicInteger();
      AtomicInteger resent = new AtomicInteger();
      AtomicInteger repeated = new AtomicInteger();
      Map<String, String> statusById = new HashMap<>();
      List<String> order = new ArrayList<>();
      Thread approver = new Thread(() -> {
        for (int n = 1; !stop.get(); n++) {
          String id = "kill-test-" + n;
          String status = n % 2 == 1 ? "approved" : "learned";
          String body = "{\"status\":\"" + status + "\",\"only\":[" + EDGE + "],\"id\":\"" + id + "\"}";
          Answer a = sendUntilAnswered("/v1/review", body, "decision " + id);
          resent.addAndGet(a.resent());
          synchronized (order) {
            statusById.put(id, status);
            order.add(id);
          }
          answered.incrementAndGet();
          if (a.response().body().contains("\"repeated\":true")) {
            repeated.incrementAndGet();
          }
          sleep(DECISION_PAUSE_MS);
        }
      }, "approver");
      approver.start();
      // modes: web's own mode, learn and monitor in turn (db's ingress decides the kernel check below)
      AtomicInteger modesAnswered = new AtomicInteger();
      List<String> modeOrder = new ArrayList<>();
      Map<String, String> modeById = new HashMap<>();
      Thread modes = new Thread(() -> {
        for (int n = 1; !stop.get(); n++) {
          String id = "kill-test-mode-" + n;
          String mode = n % 2 == 1 ? "monitor" : "learn";
          String body = "{\"namespace\":\"shop\",\"workload\":\"Deployment/web\",\"mode\":\"" + mode
              + "\",\"id\":\"" + id + "\"}";
          sendUntilAnswered("/v1/mode", body, "mode " + id);
          synchronized (modeOrder) {
            modeById.put(id, mode);
            modeOrder.add(id);
          }
          modesAnswered.incrementAndGet();
          sleep(3 * DECISION_PAUSE_MS);
        }
      }, "mode-setter");
      modes.start();
      // snapshots: each named and with its id, sent again with that id until answered
      List<String> snapshotOrder = new ArrayList<>();
      Thread snapshotter = new Thread(() -> {
        for (int n = 1; !stop.get(); n++) {
          String name = "kill-snap-" + n;
          String body = "{\"name\":\"" + name + "\",\"id\":\"kill-test-snapshot-" + n + "\"}";
          sendUntilAnswered("/v1/snapshots", body, "snapshot " + name);
          synchronized (snapshotOrder) {
            snapshotOrder.add(name);
          }
          sleep(5 * DECISION_PAUSE_MS);
        }
      }, "snapshotter");
      snapshotter.start();
      SupervisedProcess controller = palisade.process("controller");
      try {
        for (int kill = 1; kill <= 20; kill++) {
          awaitReady(controller, kill - 1);
          Thread.sleep(100 + 137L * (kill % 9)); // at different moments of the decision stream
          controller.kill();
        }
        awaitReady(controller, 20);
        Thread.sleep(2000);
      } finally {
        stop.set(true);
        approver.join(60_000);
        modes.join(60_000);
        snapshotter.join(60_000);
      }
      assertTrue(!snapshotter.isAlive(), "the snapshotter did not finish");
      assertTrue(!approver.isAlive(), "the approver did not finish");
      assertTrue(!modes.isAlive(), "the mode setter did not finish");

      List<String> ids;
      synchronized (order) {
        ids = List.copyOf(order);
      }
      JsonNode audit = JSON.readTree(get("/v1/audit"));
      Map<String, Integer> audited = new HashMap<>();
      for (JsonNode e : audit) {
        JsonNode id = e.get("requestId");
        if (id != null && !id.isNull()) {
          audited.merge(id.asString(), 1, Integer::sum);
        }
      }
      String last = statusById.get(ids.get(ids.size() - 1));
      System.out.printf("20 kills -9 of the controller: %d decisions answered (%d sent again, %d answered as "
          + "repeats), %d audited; last: %s%n", ids.size(), resent.get(), repeated.get(), audited.size(), last);
      assertTrue(ids.size() >= 20, "only " + ids.size() + " decisions were answered");
      assertTrue(resent.get() > 0, "no kill met a decision in flight");
      for (String id : ids) {
        assertEquals(1, audited.getOrDefault(id, 0), "decision " + id + " answered 2xx, audited "
            + audited.getOrDefault(id, 0) + " times");
      }
      List<String> modeIds;
      synchronized (modeOrder) {
        modeIds = List.copyOf(modeOrder);
      }
      System.out.printf("mode decisions answered: %d%n", modeIds.size());
      assertTrue(modeIds.size() >= 5, "only " + modeIds.size() + " mode decisions were answered");
      for (String id : modeIds) {
        assertEquals(1, audited.getOrDefault(id, 0), "mode decision " + id + " answered 2xx, audited "
            + audited.getOrDefault(id, 0) + " times");
      }
      // every snapshot answered 2xx is kept, and audited once
      List<String> snapshotNames;
      synchronized (snapshotOrder) {
        snapshotNames = List.copyOf(snapshotOrder);
      }
      System.out.printf("snapshots answered: %d%n", snapshotNames.size());
      assertTrue(snapshotNames.size() >= 3, "only " + snapshotNames.size() + " snapshots were answered");
      List<String> kept = new ArrayList<>();
      JSON.readTree(get("/v1/snapshots")).forEach(x -> kept.add(x.get("name").asString()));
      for (String name : snapshotNames) {
        assertTrue(kept.contains(name), "snapshot " + name + " answered 2xx, not kept: " + kept);
        String id = "kill-test-snapshot-" + name.substring("kill-snap-".length());
        assertEquals(1, audited.getOrDefault(id, 0), "snapshot " + name + " answered 2xx, audited "
            + audited.getOrDefault(id, 0) + " times");
      }
      String lastMode = modeById.get(modeIds.get(modeIds.size() - 1));
      assertEquals(List.of(lastMode), lab.client().resources(dev.palisade.model.crd.SegmentationMode.class)
          .inNamespace("shop").list().getItems().stream()
          .filter(m -> "Deployment/web".equals(m.getSpec().workload)).map(m -> m.getSpec().mode).toList(),
          "web's mode after the kills is the last one answered");

      // the last decision is what the graph says and what is published
      JsonNode edge = null;
      for (JsonNode e : JSON.readTree(get("/v1/graph")).get("edges")) {
        if (e.get("source").asString().equals("shop/Deployment/web")
            && e.get("destination").asString().equals("shop/StatefulSet/db")) {
          edge = e;
        }
      }
      assertEquals(last, edge.get("status").asString(), "the graph after the kills");
      long web = lab.client().resources(WorkloadIdentity.class).inNamespace("shop").withName("deployment-web").get()
          .getSpec().id;
      deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (publishedWebToDb(lab, web) != last.equals("approved")) {
        assertTrue(System.nanoTime() < deadline, "db's AllowList does not say web -> db is " + last);
        Thread.sleep(100);
      }

      // ... and what the kernel does once shop is enforced
      HttpResponse<String> mode = post("/v1/mode", "{\"namespace\":\"shop\",\"mode\":\"enforce\"}");
      assertEquals(200, mode.statusCode(), mode.body());
      LabNetwork.Pod webPod = lab.network().pods().stream().filter(x -> x.key().startsWith("shop/web-")).findFirst()
          .orElseThrow();
      LabNetwork.Pod db = lab.network().pods().stream().filter(x -> x.key().equals("shop/db-0")).findFirst()
          .orElseThrow();
      boolean want = last.equals("approved");
      deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      int agreeing = 0;
      while (agreeing < 5) {
        boolean passed = Prober.probe(webPod, db.ip(), 5432, "TCP", Duration.ofMillis(500));
        agreeing = passed == want ? agreeing + 1 : 0;
        assertTrue(System.nanoTime() < deadline, "enforced web -> db should " + (want ? "pass" : "drop"));
      }
    }
  }

  private static boolean publishedWebToDb(Lab lab, long web) {
    AllowList db = lab.client().resources(AllowList.class).inNamespace("shop").withName("statefulset-db").get();
    return db != null && db.getSpec().ingress != null && db.getSpec().ingress.stream()
        .anyMatch(r -> Long.valueOf(web).equals(r.peerIdentity) && "5432".equals(r.ports));
  }

  private void awaitReady(SupervisedProcess controller, int restarts) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (controller.restarts() < restarts || !ready()) {
      assertTrue(System.nanoTime() < deadline, "the controller is not back (restart " + restarts + ")");
      Thread.sleep(50);
    }
  }

  private boolean ready() {
    try {
      return palisade.httpClient().send(HttpRequest.newBuilder(URI.create(palisade.url() + "/healthz/ready"))
          .timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  private String get(String path) throws Exception {
    HttpResponse<String> r = palisade.httpClient().send(HttpRequest.newBuilder(URI.create(palisade.url() + path))
        .header("Authorization", "Bearer " + palisade.viewerToken()).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), path + ": " + r.body());
    return r.body();
  }

  /** A request's 200 answer, and how many times it was sent again before it. */
  private record Answer(HttpResponse<String> response, int resent) {}

  /**
   * Sends {@code body} (which carries its request id) to {@code path}, and again with that id,
   * until a controller answers 200. No answer (killed, not back yet) or 401/404 (the stand-by health
   * server on the port while the new process syncs) is sent again; another 4xx refuses {@code what}.
   */
  private Answer sendUntilAnswered(String path, String body, String what) {
    for (int attempt = 0; ; attempt++) {
      HttpResponse<String> r = post(path, body);
      if (r != null && r.statusCode() == 200) {
        return new Answer(r, attempt);
      }
      if (r != null && r.statusCode() / 100 == 4 && r.statusCode() != 401 && r.statusCode() != 404) {
        throw new AssertionError(what + " refused: " + r.statusCode() + " " + r.body());
      }
      sleep(100);
    }
  }

  /** The answer, or null when no controller answered (killed, not yet back). */
  private HttpResponse<String> post(String path, String body) {
    try {
      return palisade.httpClient().send(HttpRequest.newBuilder(URI.create(palisade.url() + path)).timeout(Duration.ofSeconds(10))
          .header("Authorization", "Bearer " + palisade.approverToken())
          .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
