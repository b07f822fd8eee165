package dev.palisade.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.dataplane.podstart.CniPluginBuild;
import dev.palisade.kernel.netns.Commands;
import dev.palisade.lab.cluster.Lab;
import dev.palisade.lab.daemon.LabTokens;
import dev.palisade.lab.daemon.PalisadeProcesses;
import dev.palisade.lab.daemon.SupervisedProcess;
import dev.palisade.lab.net.LabNetwork;
import dev.palisade.lab.net.Prober;
import dev.palisade.model.crd.AllowList;
import dev.palisade.testkit.KernelTest;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent as a process of the lab, in an enforced namespace, when things go wrong: another tool
 * deletes its table, flushes it, or deletes one set element; the agent is killed -9 again and
 * again beside 1,000 pods; its workload's AllowList is deleted. Shown by probe loops: an attacker
 * in a learning namespace never reaches the enforced db for more than an instant, and the approved
 * web -> db never fails.
 */
@KernelTest
class AgentFailsClosedIT {
  private static final String APP = """
      apiVersion: v1
      kind: Namespace
      metadata: {name: shop}
      ---
      apiVersion: v1
      kind: Namespace
      metadata: {name: dev}
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
              command: [sh, -c, "while true; do python3 -c 'import socket; socket.create_connection((\\"db.shop.svc.cluster.local\\", 5432), 1).close()'; sleep 1; done"]
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
      ---
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: attacker, namespace: dev}
      spec:
        replicas: 1
        selector: {matchLabels: {app: attacker}}
        template:
          metadata: {labels: {app: attacker}}
          spec: {containers: [{name: a, image: a}]}
      """;

  private Lab lab;
  private PalisadeProcesses palisade;
  private LabNetwork.Pod web;
  private LabNetwork.Pod db;
  private LabNetwork.Pod attacker;

  /**
   * web -> db learned (web's own program connects through the db Service; the lab's probes are
   * never learned) and approved, shop enforced: the attacker is refused, web passes.
   */
  private void enforcedShop() throws Exception {
    lab.apply(APP);
    lab.awaitReady(Duration.ofSeconds(60));
    web = pod("shop/web-");
    db = pod("shop/db-0");
    attacker = pod("dev/attacker-");
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!api("/v1/graph?namespace=shop", null).contains("\"source\":\"shop/Deployment/web\",\"destination\":"
        + "\"shop/StatefulSet/db\"")) {
      assertTrue(System.nanoTime() < deadline, "web -> db not learned");
      assertTrue(probe(web), "learn mode: web -> db connects");
      Thread.sleep(300);
    }
    api("/v1/review", "{\"status\":\"approved\",\"only\":[{\"from\":\"shop/Deployment/web\",\"to\":"
        + "\"shop/StatefulSet/db\",\"port\":5432,\"protocol\":\"TCP\"}]}");
    api("/v1/mode", "{\"namespace\":\"shop\",\"mode\":\"enforce\"}");
    deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (probe(attacker) || !probe(web)) {
      assertTrue(System.nanoTime() < deadline, "shop not enforced with web -> db approved within 30 s");
      Thread.sleep(200);
    }
  }

  /** What a test does in the enforced shop of a fresh one-node process lab. */
  private interface InEnforcedShop {
    void run() throws Exception;
  }

  /** A one-node process lab (namespaces pal-ID...), Palisade's processes in it, shop enforced, then {@code test}. */
  private void inEnforcedShop(String id, Path dir, InEnforcedShop test) throws Exception {
    try (Lab l = Lab.startBare(id + ProcessHandle.current().pid() % 100000, 1);
        PalisadeProcesses p = PalisadeProcesses.start(l, LabCommand.launcher(), dir, LabTokens.of(l.api()),
            Duration.ofSeconds(120))) {
      lab = l;
      palisade = p;
      enforcedShop();
      test.run();
    }
  }

  @Test
  void anotherToolsChangeToTheTableIsUndoneWithinASecond(@TempDir Path dir) throws Exception {
    inEnforcedShop("fc", dir, () -> {
      String node = lab.network().node(0).ns().name();
      String element = db.ip();
      for (String tamper : List.of("delete table inet palisade", "flush table inet palisade",
          "delete element inet palisade ingress_dispatch { " + element + " }")) {
        long t0 = System.nanoTime();
        Commands.run("ip", "netns", "exec", node, "nft", tamper);
        // the attacker probes until refused: the first refused probe started within 1 s of the change
        long blockedAfter = -1;
        while (blockedAfter < 0) {
          long started = System.nanoTime();
          if (!probe(attacker)) {
            blockedAfter = started - t0;
          }
          assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(10).toNanos(), "still open 10 s after: " + tamper);
        }
        System.out.printf("after `nft %s`: the attack was blocked again %.0f ms later%n", tamper,
            blockedAfter / 1e6);
        assertTrue(blockedAfter <= Duration.ofSeconds(1).toNanos(), "`nft " + tamper + "`: the attack was blocked "
            + "again only " + blockedAfter / 1_000_000 + " ms later");
        for (int i = 0; i < 5; i++) {
          assertFalse(probe(attacker), "the attack passes again after: " + tamper);
          assertTrue(probe(web), "web -> db (approved) fails after the repair of: " + tamper);
        }
      }
    });
  }

  @Test
  void killedAgainAndAgainBesideAThousandPodsNothingDeniedPassesNothingApprovedFails(@TempDir Path dir)
      throws Exception {
    inEnforcedShop("fk", dir, () -> {
      remotePods(1000 - lab.network().pods().size());
      SupervisedProcess agent = palisade.process("agent-0");
      AtomicBoolean stop = new AtomicBoolean();
      AtomicInteger attacks = new AtomicInteger();
      AtomicInteger attacksPassed = new AtomicInteger();
      AtomicInteger approved = new AtomicInteger();
      AtomicInteger approvedFailed = new AtomicInteger();
      Thread loop = new Thread(() -> {
        while (!stop.get()) {
          attacks.incrementAndGet();
          if (probe(attacker)) {
            attacksPassed.incrementAndGet();
          }
          approved.incrementAndGet();
          if (!probe(web)) {
            approvedFailed.incrementAndGet();
          }
        }
      }, "probe-loop");
      loop.start();
      try {
        long syncsBefore = firstSyncs(dir);
        for (int kill = 1; kill <= 20; kill++) {
          waitForProcess(agent, kill - 1);
          if (kill % 2 == 0) {
            // a running agent, at different moments of its syncs
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (firstSyncs(dir) <= syncsBefore) {
              if (System.nanoTime() > deadline) {
                List<String> log = java.nio.file.Files.readAllLines(dir.resolve("agent-0.log")).stream()
                    .filter(line -> !line.startsWith("\tat ") && !line.startsWith("\t...")).toList();
                StringBuilder loops = new StringBuilder();
                Thread.getAllStackTraces().forEach((t, st) -> {
                  if (t.getName().contains("vert.x-eventloop")) {
                    loops.append(t.getName()).append(' ').append(t.getState()).append('\n');
                    for (int i = 0; i < Math.min(25, st.length); i++) {
                      loops.append("    ").append(st[i]).append('\n');
                    }
                  }
                });
                throw new AssertionError("the restarted agent did not sync within 60 s; its log ends:\n"
                    + String.join("\n", log.subList(Math.max(0, log.size() - 6), log.size()))
                    + "\nthe lab API server's event loops:\n" + loops);
              }
              Thread.sleep(20);
            }
            Thread.sleep(100 * (kill % 5));
          } else {
            // a starting agent: reading the cluster, adopting the table
            Thread.sleep(200 + 300 * (kill % 7));
          }
          agent.kill(); // restarted at once (no crash back-off)
          syncsBefore = firstSyncs(dir);
        }
        waitForProcess(agent, 20);
        Thread.sleep(3000);
      } finally {
        stop.set(true);
        loop.join();
      }
      long synced = firstSyncs(dir);
      System.out.printf("20 kills -9 beside %d pods (%d of 21 agent runs reached their first sync): %d attack probes, "
          + "%d passed; %d approved probes, %d failed%n", lab.client().pods().inAnyNamespace().list().getItems().size(),
          synced, attacks.get(), attacksPassed.get(), approved.get(), approvedFailed.get());
      assertTrue(synced >= 11 && synced <= 20, "kills should meet agents both before and after their first sync: "
          + synced + " of 21 runs synced");
      assertTrue(attacks.get() >= 40, "probed only " + attacks.get() + " times");
      assertEquals(0, attacksPassed.get(), "denied connections passed while the agent was killed 20 times");
      assertEquals(0, approvedFailed.get(), "approved connections failed while the agent was killed 20 times");
    });
  }

  @Test
  void aDeletedAllowListKeepsItsWorkloadEnforcedAndComesBack(@TempDir Path dir) throws Exception {
    inEnforcedShop("fa", dir, () -> {
      var lists = lab.client().resources(AllowList.class).inNamespace("shop");
      AllowList dbList = lists.list().getItems().stream().filter(a -> a.getMetadata().getName().contains("db"))
          .findFirst().orElseThrow(() -> new AssertionError("no AllowList for db: " + lists.list().getItems()));
      String name = dbList.getMetadata().getName();
      long t0 = System.nanoTime();
      lists.withName(name).delete();
      long back = -1;
      while (back < 0) {
        assertFalse(probe(attacker), "the attacker reaches db after its AllowList was deleted");
        if (lists.withName(name).get() != null) {
          back = System.nanoTime() - t0;
        }
        assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(10).toNanos(), "AllowList " + name + " not restored");
      }
      System.out.printf("AllowList shop/%s deleted: restored by the controller %.0f ms later%n", name, back / 1e6);
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (!probe(web)) {
        assertTrue(System.nanoTime() < deadline, "web -> db (approved) not back after the list was restored");
      }
      assertFalse(probe(attacker));
    });
  }

  /**
   * The pod-start gate on the agent process (its pod-start socket, called by the palisade-cni
   * binary): a pod whose agent cannot answer gets no network at all, and once it can, the pod's
   * first packet already meets its rules. Shown with the agent stopped (SIGSTOP) while a new pod of the
   * enforced namespace starts: without the gate the pod runs at once, unjudged.
   */
  @Test
  void aPodGetsItsNetworkOnlyOnceItsAgentsRulesCoverIt(@TempDir Path dir) throws Exception {
    inEnforcedShop("fg", dir, () -> {
      // wherever the plugin builds (CI: always), the lab's kubelet runs the CNI plugin binary, so
      // this is the plugin's fail-closed test on a live agent too
      if (CniPluginBuild.missingCompiler().isEmpty()) {
        assertTrue(palisade.podStartCaller().startsWith("the CNI plugin binary"), palisade.podStartCaller());
      }
      long pid = palisade.process("agent-0").pid().orElseThrow();
      signal("STOP", pid);
      try {
        lab.apply("""
            apiVersion: v1
            kind: Pod
            metadata: {name: vault, namespace: shop, labels: {app: vault}}
            spec: {containers: [{name: v, image: v, ports: [{containerPort: 5432}]}]}
            """);
        Thread.sleep(3000);
        assertTrue(lab.network().pods().stream().noneMatch(x -> x.key().equals("shop/vault")),
            "shop/vault got its network while its agent could not cover it: " + lab.network().pods());
      } finally {
        signal("CONT", pid);
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      LabNetwork.Pod vault = null;
      while (vault == null) {
        assertTrue(System.nanoTime() < deadline, "shop/vault did not start once its agent ran again");
        vault = lab.network().pods().stream().filter(x -> x.key().equals("shop/vault")).findFirst().orElse(null);
      }
      // nobody approved anything into vault, and shop is enforced (once vault serves: a refused
      // probe of a port nobody listens on would prove nothing; its own probe of itself never
      // crosses the node's rules)
      deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (!Prober.probe(vault, vault.ip(), 5432, "TCP", Duration.ofMillis(300))) {
        assertTrue(System.nanoTime() < deadline, "shop/vault does not serve 5432");
      }
      for (int i = 0; i < 5; i++) {
        assertFalse(Prober.probe(attacker, vault.ip(), 5432, "TCP", Duration.ofMillis(300)),
            "the attacker reached the new pod shop/vault (" + vault.ip() + ")");
      }
      assertTrue(probe(web), "web -> db (approved) failed after the pod start");
    });
  }

  private static void signal(String signal, long pid) throws Exception {
    Process k = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
    assertEquals(0, k.waitFor(), "kill -" + signal + " " + pid);
  }

  /** Agent runs that logged their first sync in force. */
  private static long firstSyncs(Path dir) throws java.io.IOException {
    return java.nio.file.Files.readString(dir.resolve("agent-0.log")).lines()
        .filter(line -> line.contains("first sync in force")).count();
  }

  private static long waitForProcess(SupervisedProcess agent, int restarts) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (agent.restarts() < restarts || agent.pid().isEmpty()) {
      assertTrue(System.nanoTime() < deadline, "the lab did not restart the agent (restart " + restarts + ")");
      Thread.sleep(50);
    }
    return agent.pid().orElseThrow();
  }

  /** Pods on nodes the lab does not run, as their kubelets would write them: one ReplicaSet's worth. */
  private void remotePods(int count) {
    lab.externalNamespace("remote", Map.of());
    var client = lab.client();
    for (int i = 0; i < count; i++) {
      int a = 2 * i + 1;
      String ip = "10." + (128 + (a >> 16)) + "." + ((a >> 8) & 0xff) + "." + (a & 0xff);
      Pod pod = new PodBuilder().withNewMetadata().withNamespace("remote").withName("r-" + i)
          .addToLabels("app", "remote").endMetadata().withNewSpec().withNodeName("remote-" + i / 100)
          .addNewContainer().withName("c").withImage("r").endContainer().endSpec().build();
      pod.setStatus(new PodStatusBuilder().withPhase("Running").withPodIP(ip).addNewPodIP(ip).build());
      Pod stored = client.pods().inNamespace("remote").resource(pod).create();
      if (stored.getStatus() == null || !ip.equals(stored.getStatus().getPodIP())) {
        stored.setStatus(pod.getStatus());
        client.pods().inNamespace("remote").resource(stored).updateStatus();
      }
    }
  }

  private LabNetwork.Pod pod(String prefix) {
    List<LabNetwork.Pod> all = new ArrayList<>(lab.network().pods());
    return all.stream().filter(p -> p.key().startsWith(prefix)).findFirst()
        .orElseThrow(() -> new AssertionError("no pod " + prefix + "* in " + all));
  }

  private boolean probe(LabNetwork.Pod from) {
    return Prober.probe(from, db.ip(), 5432, "TCP", Duration.ofMillis(300));
  }

  /** GET when body is null, else POST; 2xx expected. */
  private String api(String path, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(palisade.url() + path))
        .header("Authorization", "Bearer " + (body == null ? palisade.viewerToken() : palisade.approverToken()));
    HttpResponse<String> r = palisade.httpClient().send(body == null ? b.build()
        : b.POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), path + ": " + r.body());
    return r.body();
  }
}
