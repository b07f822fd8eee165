package dev.palisade.lab.demo;

import dev.palisade.lab.cluster.Lab;
import dev.palisade.lab.cluster.LabPalisade;
import dev.palisade.lab.net.LabNetwork;
import dev.palisade.lab.net.Prober;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The main job on the embedded lab: a shop (web -> api -> db) comes up, talks in learn mode,
 * Palisade learns the graph; then (optionally) the learned edges are approved, the namespace is
 * enforced, and an attack (web straight to db) is dropped and reported.
 */
public final class ShopDemo {
  private static final Duration READY = Duration.ofMinutes(3);
  private final PrintStream out;
  private final JsonMapper json = JsonMapper.builder().build();

  public ShopDemo(PrintStream out) {
    this.out = out;
  }

  /** What the demo saw; {@link #ok()} if every expectation held. */
  public record Outcome(int learnedEdges, boolean legitimateFlowsPass, boolean attackBlocked, boolean attackReported) {
    public boolean ok() {
      return learnedEdges >= 2 && legitimateFlowsPass && attackBlocked && attackReported;
    }
  }

  public Outcome run(Lab lab, boolean enforceAfter) throws IOException, InterruptedException {
    LabPalisade pal = lab.palisade().orElseThrow(() -> new IllegalStateException("the demo needs Palisade in the lab"));
    out.println("1/4 shop comes up: web (2 pods), api (2), db (1) on " + lab.nodeCount() + " nodes");
    try (InputStream in = ShopDemo.class.getResourceAsStream("/demo/shop.yaml")) {
      lab.apply(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
    lab.awaitReady(READY);
    out.println("2/4 learn mode: web talks to api:9090, api talks to db:5432 (20 connections each)");
    for (int i = 0; i < 20; i++) {
      for (LabNetwork.Pod w : pods(lab, "web")) {
        Prober.connect(w.ns(), pods(lab, "api").get(i % 2).ip(), 9090, "TCP", Prober.DEFAULT_TIMEOUT, false);
      }
      for (LabNetwork.Pod a : pods(lab, "api")) {
        Prober.connect(a.ns(), pods(lab, "db").get(0).ip(), 5432, "TCP", Prober.DEFAULT_TIMEOUT, false);
      }
    }
    pal.flushFlows(Duration.ofSeconds(10));
    JsonNode graph = json.readTree(get(pal, "/v1/graph"));
    out.println("3/4 learned graph:");
    int learned = 0;
    for (JsonNode e : graph.path("edges")) {
      learned++;
      out.printf("    %-22s -> %-24s %5d/%s  %-8s %d connections, pods %s%n", e.path("source").asString(),
          e.path("destination").asString(), e.path("port").asInt(), e.path("protocol").asString(),
          e.path("status").asString(), e.path("count").asLong(), e.path("sourcePods"));
    }
    if (!enforceAfter) {
      out.println("4/4 skipped (--enforce-after approves, enforces and tries an attack)");
      return new Outcome(learned, true, false, false);
    }
    out.println("4/4 approve what was learned, enforce the namespace, try an attack (web -> db:5432)");
    // through the review API, as a reviewer on the page or with the CLI would: each step is audited
    post(pal, "/v1/snapshots", "{\"name\":\"learned\"}");
    post(pal, "/v1/review", "{\"status\":\"approved\",\"all\":true}");
    post(pal, "/v1/mode", "{\"namespace\":\"shop\",\"mode\":\"enforce\"}");
    lab.awaitReady(READY);
    LabNetwork.Pod web = pods(lab, "web").get(0);
    LabNetwork.Pod api = pods(lab, "api").get(0);
    LabNetwork.Pod db = pods(lab, "db").get(0);
    boolean webApi = Prober.probe(web, api.ip(), 9090, "TCP", Prober.DEFAULT_TIMEOUT);
    boolean apiDb = Prober.probe(api, db.ip(), 5432, "TCP", Prober.DEFAULT_TIMEOUT);
    boolean attack = Prober.probe(web, db.ip(), 5432, "TCP", Prober.DEFAULT_TIMEOUT);
    out.println("    web -> api:9090  " + (webApi ? "connected (approved)" : "BLOCKED (unexpected)"));
    out.println("    api -> db:5432   " + (apiDb ? "connected (approved)" : "BLOCKED (unexpected)"));
    out.println("    web -> db:5432   " + (attack ? "CONNECTED (unexpected)" : "blocked"));
    boolean reported = false;
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (!reported && System.nanoTime() < deadline) {
      pal.flushFlows(Duration.ofSeconds(2));
      for (JsonNode d : json.readTree(get(pal, "/v1/drops")).path("events")) {
        if (d.path("source").asString().equals("shop/Deployment/web")
            && d.path("destination").asString().equals("shop/StatefulSet/db") && d.path("port").asInt() == 5432) {
          out.printf("    drop reported: %s %s -> %s %d/%s on %s (%s)%n", d.path("kind").asString(),
              d.path("srcPod").asString(), d.path("dstPod").asString(), d.path("port").asInt(),
              d.path("protocol").asString(), d.path("node").asString(), d.path("direction").asString());
          reported = true;
          break;
        }
      }
    }
    return new Outcome(learned, webApi && apiDb, !attack, reported);
  }

  private static List<LabNetwork.Pod> pods(Lab lab, String workload) {
    return lab.network().pods().stream().filter(p -> p.key().startsWith("shop/" + workload + "-"))
        .sorted(java.util.Comparator.comparing(LabNetwork.Pod::key)).toList();
  }

  private String get(LabPalisade pal, String path) throws IOException, InterruptedException {
    return send(pal, HttpRequest.newBuilder(URI.create(pal.url() + path)).header("Authorization", "Bearer "
        + pal.viewerToken()).GET().build());
  }

  private String post(LabPalisade pal, String path, String body) throws IOException, InterruptedException {
    return send(pal, HttpRequest.newBuilder(URI.create(pal.url() + path)).header("Authorization", "Bearer "
        + pal.approverToken()).POST(HttpRequest.BodyPublishers.ofString(body)).build());
  }

  private String send(LabPalisade pal, HttpRequest r) throws IOException, InterruptedException {
    HttpResponse<String> resp = pal.httpClient().send(r, HttpResponse.BodyHandlers.ofString());
    if (resp.statusCode() != 200) {
      throw new IOException(r.uri() + ": " + resp.statusCode() + " " + resp.body());
    }
    return resp.body();
  }
}
