package dev.palisade.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.lab.cluster.Lab;
import dev.palisade.lab.daemon.PalisadeProcesses;
import dev.palisade.lab.daemon.LabTokens;
import dev.palisade.lab.daemon.SupervisedProcess;
import dev.palisade.lab.net.LabNetwork;
import dev.palisade.lab.net.Prober;
import dev.palisade.testkit.KernelTest;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Palisade in the lab as a cluster runs it: the controller and the agent are their own processes,
 * started with deploy/base's command lines. SIGKILL of the agent in an enforced namespace: the lab
 * restarts it, and while it is dead and while the new one adopts the table, no denied connection
 * passes (the table stays in the kernel, and the restarted agent never flushes it).
 */
@KernelTest
class LabProcessesIT {
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
          spec: {containers: [{name: web, image: web, ports: [{containerPort: 8080}]}]}
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

  @Test
  void killedAgentIsRestartedAndNothingDeniedPassesMeanwhile(@TempDir Path dir) throws Exception {
    try (Lab lab = Lab.startBare("lp" + ProcessHandle.current().pid() % 100000, 1);
        PalisadeProcesses palisade = PalisadeProcesses.start(lab, LabCommand.launcher(), dir,
            LabTokens.of(lab.api()), Duration.ofSeconds(120))) {
      SupervisedProcess agent = palisade.process("agent-0");
      assertTrue(agent.command().containsAll(java.util.List.of("agent", "--failsafe-api-server",
          "--failsafe-kubelet", "--failsafe-dns")), "the agent runs with deploy/base's DaemonSet args: "
          + agent.command());
      lab.apply(APP);
      lab.awaitReady(Duration.ofSeconds(60));
      LabNetwork.Pod web = lab.network().pods().stream().filter(p -> p.key().startsWith("shop/web-")).findFirst()
          .orElseThrow();
      LabNetwork.Pod db = lab.network().pods().stream().filter(p -> p.key().equals("shop/db-0")).findFirst()
          .orElseThrow();
      assertTrue(probe(web, db), "learn mode: web -> db connects before enforcement");

      HttpResponse<String> set = palisade.httpClient().send(HttpRequest.newBuilder(
              URI.create(palisade.url() + "/v1/mode")).header("Authorization", "Bearer " + palisade.approverToken())
          .POST(HttpRequest.BodyPublishers.ofString("{\"namespace\":\"shop\",\"mode\":\"enforce\"}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, set.statusCode(), set.body());
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (probe(web, db)) {
        assertTrue(System.nanoTime() < deadline, "web -> db (never approved) still connects 30 s after enforce");
        Thread.sleep(200);
      }

      AtomicBoolean stop = new AtomicBoolean();
      AtomicInteger probes = new AtomicInteger();
      AtomicInteger passed = new AtomicInteger();
      Thread loop = new Thread(() -> {
        while (!stop.get()) {
          probes.incrementAndGet();
          if (probe(web, db)) {
            passed.incrementAndGet();
          }
        }
      }, "probe-loop");
      loop.start();
      long oldPid = agent.pid().orElseThrow();
      Thread.sleep(500);
      ProcessHandle.of(oldPid).orElseThrow().destroyForcibly(); // SIGKILL, as `palisade lab kill agent 0`
      deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (agent.restarts() < 1 || agent.pid().isEmpty()) {
        assertTrue(System.nanoTime() < deadline, "the lab did not restart the killed agent");
        Thread.sleep(100);
      }
      // the new agent adopts the table and syncs; keep probing through that
      Thread.sleep(5000);
      stop.set(true);
      loop.join();
      assertNotEquals(oldPid, agent.pid().orElseThrow(), "a new agent process");
      assertTrue(agent.lastExit().contains("signal 9"), agent.lastExit());
      assertTrue(probes.get() >= 5, "probed " + probes.get() + " times");
      assertEquals(0, passed.get(), passed.get() + " of " + probes.get()
          + " denied connections passed while the agent was killed and restarted");
      assertTrue(Files.exists(dir.resolve("agent-0.log")), "the agent's log file is kept");
    }
  }

  /**
   * The lab's API server authorizes with deploy/base's RBAC: take `replicasets` from the agent's
   * ClusterRole and a restarted agent fails at once naming what it may not read (not a 2-minute
   * sync timeout), the lab keeps restarting it, and it comes back once the rule is restored.
   */
  @Test
  void agentWithoutAPermissionFailsClearlyAndRecoversWhenItIsBack(@TempDir Path dir) throws Exception {
    try (Lab lab = Lab.startBare("lq" + ProcessHandle.current().pid() % 100000, 1);
        PalisadeProcesses palisade = PalisadeProcesses.start(lab, LabCommand.launcher(), dir,
            LabTokens.of(lab.api()), Duration.ofSeconds(120))) {
      SupervisedProcess agent = palisade.process("agent-0");
      var roles = lab.client().rbac().clusterRoles();
      ClusterRole full = roles.withName("palisade-agent").get();
      ClusterRole without = new ClusterRoleBuilder(full).withRules(full.getRules().stream()
          .filter(r -> !r.getResources().contains("replicasets")).toList()).build();
      without.getMetadata().setResourceVersion(null);
      assertEquals(full.getRules().size() - 1, without.getRules().size(), "one rule names replicasets");
      roles.resource(without).update();

      ProcessHandle.of(agent.pid().orElseThrow()).orElseThrow().destroyForcibly();
      long deadline = System.nanoTime() + Duration.ofSeconds(45).toNanos();
      while (!Files.readString(dir.resolve("agent-0.log")).contains("cannot list resource \"replicasets\"")
          || agent.restarts() < 2) {
        assertTrue(System.nanoTime() < deadline, "no clear refusal from the agent within 45 s; its log:\n"
            + Files.readString(dir.resolve("agent-0.log")));
        Thread.sleep(200);
      }
      assertTrue(agent.lastExit().contains("exit code 1"), "the agent exits on the refusal: " + agent.lastExit());

      full.getMetadata().setResourceVersion(null);
      roles.resource(full).update();
      int restarts = agent.restarts();
      deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      long stableSince = System.nanoTime();
      // back to running: the same process stays up for 10 s
      while (System.nanoTime() - stableSince < Duration.ofSeconds(10).toNanos()) {
        if (agent.restarts() != restarts || agent.pid().isEmpty()) {
          restarts = agent.restarts();
          stableSince = System.nanoTime();
        }
        assertTrue(System.nanoTime() < deadline, "the agent did not recover with its permission restored");
        Thread.sleep(200);
      }
    }
  }

  /**
   * A user's own app, as `palisade lab up -f app.yaml` would run it: a pod runs `python3 -m http.server
   * 8000`, another fetches http://files.blog.svc.cluster.local:8000/ in a loop (cluster DNS, then the
   * Service's cluster IP, DNAT'd by the node's kube-proxy table), and Palisade's processes learn the
   * edge workload -> workload on 8000/TCP, reported by an agent authenticated with its node-bound token.
   */
  @Test
  void ownAppReachedThroughDnsAndClusterIpIsLearnedAsWorkloadToWorkload(@TempDir Path dir) throws Exception {
    try (Lab lab = Lab.startBare("lr" + ProcessHandle.current().pid() % 100000, 2);
        PalisadeProcesses palisade = PalisadeProcesses.start(lab, LabCommand.launcher(), dir,
            LabTokens.of(lab.api()), Duration.ofSeconds(120))) {
      lab.apply(OWN_APP);
      lab.awaitReady(Duration.ofSeconds(60));
      HttpClient http = palisade.httpClient();
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      String graph = "";
      while (!graph.contains("\"source\":\"blog/Deployment/reader\",\"destination\":\"blog/Deployment/files\","
          + "\"protocol\":\"TCP\",\"port\":8000")) {
        assertTrue(System.nanoTime() < deadline, "reader -> files:8000 not learned within 60 s; graph: " + graph);
        Thread.sleep(500);
        graph = http.send(HttpRequest.newBuilder(URI.create(palisade.url() + "/v1/graph?namespace=blog"))
            .header("Authorization", "Bearer " + palisade.viewerToken()).build(), HttpResponse.BodyHandlers.ofString())
            .body();
      }
      // the name was resolved through the lab's cluster DNS (seen by Palisade as a DNS edge, not a service edge)
      assertTrue(graph.contains("\"destination\":\"kube-system/Pod/lab-dns\",\"protocol\":\"UDP\",\"port\":53,")
          && graph.contains("\"class\":\"dns\""), graph);
    }
  }

  private static final String OWN_APP = """
      apiVersion: v1
      kind: Namespace
      metadata: {name: blog}
      ---
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: files, namespace: blog}
      spec:
        replicas: 1
        selector: {matchLabels: {app: files}}
        template:
          metadata: {labels: {app: files}}
          spec:
            nodeName: lab-node-1
            containers:
            - {name: http, command: [python3, -m, http.server, "8000"], ports: [{containerPort: 8000}]}
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: files, namespace: blog}
      spec:
        selector: {app: files}
        ports: [{port: 8000, targetPort: 8000}]
      ---
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: reader, namespace: blog}
      spec:
        replicas: 1
        selector: {matchLabels: {app: reader}}
        template:
          metadata: {labels: {app: reader}}
          spec:
            nodeName: lab-node-0
            containers:
            - name: loop
              command: [sh, -c, "while true; do python3 -c 'import urllib.request as u; u.urlopen(\\"http://files.blog.svc.cluster.local:8000/\\")'; sleep 1; done"]
      """;

  private static boolean probe(LabNetwork.Pod from, LabNetwork.Pod to) {
    return Prober.probe(from, to.ip(), 5432, "TCP", Duration.ofMillis(500));
  }
}
