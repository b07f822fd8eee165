package dev.palisade.lab.review;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.lab.cluster.LabPalisade;
import dev.palisade.lab.cluster.LabScenarioTarget;
import dev.palisade.lab.net.LabNetwork;
import dev.palisade.lab.scenario.Scenario;
import dev.palisade.testkit.KernelTest;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code GET /v1/why} (what {@code palisade why} prints) agrees with the kernel: on a two-node lab
 * with NetworkPolicies, approved and rejected edges and workloads in learn, monitor and enforce,
 * random (source, destination, port) triples, each end written as a workload, a pod or an
 * address, are explained with a viewer token and probed for real; every verdict must match its
 * probe. Up to 500 triples, as many as fit in about 60 s (a dropped probe waits out its timeout).
 */
@KernelTest
class WhyAgreesWithKernelIT {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final int[] PORTS = {80, 5432, 8080};
  private static final List<String> WORKLOADS = List.of("shop/Deployment/web", "shop/Deployment/api",
      "shop/StatefulSet/db", "shop/Deployment/tool", "vault/Deployment/secret");
  private static final Duration BUDGET = Duration.ofSeconds(60);

  @Test
  void everyVerdictMatchesARealProbe() throws Exception {
    String labId = "why20" + ProcessHandle.current().pid() % 100000;
    try (LabScenarioTarget t = new LabScenarioTarget(labId)) {
      t.setUp(new Scenario("why", "", "why agrees with the kernel", 2, List.of(), List.of(), manifests(),
          Scenario.Outside.NONE, List.of()));
      Map<String, String> pod = new HashMap<>();
      for (String w : WORKLOADS) {
        pod.put(w, t.resolvePods("workload/" + w).get(0));
      }
      // learn the edges (application traffic, from ephemeral ports) ...
      String[][] learned = {{"web", "api", "8080"}, {"api", "db", "5432"}, {"web", "db", "5432"},
          {"tool", "api", "8080"}, {"web", "tool", "80"}};
      for (String[] e : learned) {
        assertTrue(t.connect(pod.get(w(e[0])), t.podIp(pod.get(w(e[1]))), Integer.parseInt(e[2]), "TCP"),
            "learn mode lets " + e[0] + " -> " + e[1] + " through");
      }
      // ... approve some, reject others, then restrict
      review(t, 1, "approve-learned", List.of(edge("web", "api", 8080), edge("api", "db", 5432), edge("tool", "api", 8080)));
      review(t, 2, "reject-learned", List.of(edge("web", "db", 5432), edge("web", "tool", 80)));
      mode(t, 3, "shop/Deployment/web", "enforce");
      mode(t, 4, "shop/Deployment/api", "monitor");
      mode(t, 5, "shop/StatefulSet/db", "enforce");
      LabPalisade p = t.lab().palisade().orElseThrow();
      awaitModes(p, "Deployment/web", "StatefulSet/db", "Deployment/api");
      t.awaitConverged();

      Random random = new Random(20);
      ExecutorService pool = Executors.newFixedThreadPool(8);
      long deadline = System.nanoTime() + BUDGET.toNanos();
      List<Future<String>> results = new ArrayList<>();
      for (int i = 0; i < 500; i++) {
        String src = WORKLOADS.get(random.nextInt(WORKLOADS.size()));
        String dst = WORKLOADS.get(random.nextInt(WORKLOADS.size()));
        if (src.equals(dst)) {
          dst = WORKLOADS.get((WORKLOADS.indexOf(dst) + 1) % WORKLOADS.size());
        }
        int port = PORTS[random.nextInt(PORTS.length)];
        String srcRef = ref(t, pod.get(src), src, random.nextInt(3));
        String dstRef = ref(t, pod.get(dst), dst, random.nextInt(3));
        String srcPod = pod.get(src);
        String dstIp = t.podIp(pod.get(dst));
        results.add(pool.submit(() -> {
          if (System.nanoTime() > deadline) {
            return null; // out of time: not checked, not counted
          }
          JsonNode why = why(p, srcRef, dstRef, port);
          boolean reached = t.probe(srcPod, dstIp, port, "TCP");
          String verdict = why.path("verdict").asString();
          return (verdict.equals(reached ? "allow" : "deny") ? "ok " : "MISMATCH ") + srcRef + " -> " + dstRef + " "
              + port + "/TCP: why says " + verdict + " (" + why.path("decidedBy").asString() + "), probe "
              + (reached ? "reached" : "dropped");
        }));
      }
      pool.shutdown();
      assertTrue(pool.awaitTermination(5, TimeUnit.MINUTES));
      List<String> mismatches = new ArrayList<>();
      Map<String, Integer> byLayer = new TreeMap<>();
      int checked = 0;
      for (Future<String> f : results) {
        String r = f.get();
        if (r == null) {
          continue;
        }
        checked++;
        if (r.startsWith("MISMATCH")) {
          mismatches.add(r);
        }
        String layer = r.substring(r.indexOf("why says ") + 9, r.indexOf("), probe") + 1);
        byLayer.merge(layer, 1, Integer::sum);
      }
      System.out.println("WhyAgreesWithKernelIT: " + checked + " triples explained and probed, "
          + mismatches.size() + " mismatches; verdicts by layer: " + byLayer);
      assertEquals(List.of(), mismatches, "every verdict matches its probe");
      assertTrue(checked >= 50, "at least 50 triples fit in the budget, got " + checked);
      for (String layer : List.of("allow (approved)", "deny (not approved)", "deny (rejected)", "allow (mode monitor)",
          "deny (NetworkPolicy vault/deny-in)", "allow (mode learn)")) {
        assertTrue(byLayer.containsKey(layer), "the triples reached layer " + layer + ": " + byLayer);
      }
      // a blocked application connection: within 5 s a Warning Event in the client's namespace names the edge
      assertTrue(!t.connect(pod.get(w("web")), t.podIp(pod.get(w("db"))), 5433, "TCP"), "enforce drops web -> db 5433");
      String edge = "shop/Deployment/web -> shop/StatefulSet/db 5433/TCP dropped";
      long eventDeadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      List<io.fabric8.kubernetes.api.model.Event> shopEvents = List.of();
      while (System.nanoTime() < eventDeadline && shopEvents.stream().noneMatch(e -> e.getMessage().startsWith(edge))) {
        Thread.sleep(100);
        shopEvents = t.lab().client().v1().events().inNamespace("shop").list().getItems();
      }
      io.fabric8.kubernetes.api.model.Event warning = shopEvents.stream()
          .filter(e -> e.getMessage() != null && e.getMessage().startsWith(edge)).findFirst()
          .orElseThrow(() -> new AssertionError("no Event naming " + edge + " within 5 s"));
      assertEquals("Warning", warning.getType());
      assertTrue(warning.getMessage().contains("palisade request shop/Deployment/web shop/StatefulSet/db 5433/TCP"),
          warning.getMessage());
    } finally {
      assertEquals(0, LabNetwork.reap(labId), "the lab left network namespaces behind");
    }
  }

  private static String w(String shortName) {
    return WORKLOADS.stream().filter(x -> x.endsWith("/" + shortName)).findFirst().orElseThrow();
  }

  private static Map<String, Object> edge(String from, String to, int port) {
    return Map.of("from", "workload/" + w(from), "to", "workload/" + w(to), "port", port, "protocol", "TCP");
  }

  private static void review(LabScenarioTarget t, int n, String action, List<Map<String, Object>> only) {
    t.perform(new Scenario.Step(n, action, Map.of("only", only), List.of()));
  }

  private static void mode(LabScenarioTarget t, int n, String workload, String mode) {
    t.perform(new Scenario.Step(n, "set-mode", Map.of("target", "workload/" + workload, "mode", mode), List.of()));
  }

  /** An end as a workload (0), a pod NS/POD (1) or its address (2). */
  private static String ref(LabScenarioTarget t, String pod, String workload, int form) {
    return switch (form) {
      case 0 -> workload;
      case 1 -> pod;
      default -> t.podIp(pod);
    };
  }

  /** Until the controller lists the modes set (they reach it by informer after the write). */
  private static void awaitModes(LabPalisade p, String... workloads) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      String modes = get(p, "/v1/modes").body();
      if (java.util.Arrays.stream(workloads).allMatch(w -> modes.contains("\"workload\":\"" + w + "\""))) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("modes never listed: " + modes);
      }
      Thread.sleep(100);
    }
  }

  private static JsonNode why(LabPalisade p, String src, String dst, int port) throws Exception {
    HttpResponse<String> r = get(p, "/v1/why?src=" + enc(src) + "&dst=" + enc(dst) + "&port=" + port + "&protocol=TCP");
    assertEquals(200, r.statusCode(), r.body());
    return JSON.readTree(r.body());
  }

  private static HttpResponse<String> get(LabPalisade p, String path) throws Exception {
    return p.httpClient().send(HttpRequest.newBuilder(URI.create(p.url() + path))
        .header("Authorization", "Bearer " + p.viewerToken()).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static String manifests() {
    StringBuilder m = new StringBuilder("""
        apiVersion: v1
        kind: Namespace
        metadata: {name: shop}
        ---
        apiVersion: v1
        kind: Namespace
        metadata: {name: vault}
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: deny-in, namespace: vault}
        spec:
          podSelector: {}
          policyTypes: [Ingress]
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: db-ingress, namespace: shop}
        spec:
          podSelector: {matchLabels: {app: db}}
          policyTypes: [Ingress]
          ingress:
          - from: [{podSelector: {matchLabels: {app: api}}}, {podSelector: {matchLabels: {app: web}}}]
            ports: [{port: 5432}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: db, namespace: shop}
        spec:
          selector: {app: db}
          ports: [{name: pg, port: 5432}]
        """);
    for (String w : WORKLOADS) {
      String[] p = w.split("/");
      m.append("---\napiVersion: apps/v1\nkind: ").append(p[1]).append("\nmetadata: {name: ").append(p[2])
          .append(", namespace: ").append(p[0]).append("}\nspec:\n  replicas: 1\n")
          .append(p[1].equals("StatefulSet") ? "  serviceName: " + p[2] + "\n" : "")
          .append("  selector: {matchLabels: {app: ").append(p[2]).append("}}\n  template:\n    metadata: {labels: {app: ")
          .append(p[2]).append("}}\n    spec:\n      containers: [{name: serve, image: lab/echo, ports: ")
          .append("[{containerPort: 80}, {containerPort: 5432}, {containerPort: 8080}]}]\n");
    }
    return m.toString();
  }
}
