package dev.palisade.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.dataplane.metrics.ScrapedSamples;
import dev.palisade.lab.cluster.Lab;
import dev.palisade.lab.daemon.LabServer;
import dev.palisade.lab.daemon.LabTokens;
import dev.palisade.lab.daemon.PalisadeProcesses;
import dev.palisade.lab.net.LabNetwork;
import dev.palisade.lab.net.Prober;
import dev.palisade.testkit.KernelTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 21's scenario in a process-mode lab: every /metrics URL `lab status` lists answers with its
 * families, and the counters move as the scenario says: a denied connection is a counted drop, a
 * table deleted behind the agent's back is a counted tamper repair, and flow reports the controller
 * refuses (malformed, unknown token) are counted by reason.
 */
@KernelTest
class MetricsLabIT {
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
  private static final Pattern URL = Pattern.compile("(http://127\\.0\\.0\\.1:\\d+/metrics)");
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void everyMetricsUrlOfLabStatusAnswersAndCountsTheScenario(@TempDir Path dir) throws Exception {
    // namespaces pal-metrics21NNN-*: this branch's, removed by the lab's close
    try (Lab lab = Lab.startBare("metrics21" + ProcessHandle.current().pid() % 1000, 1);
        PalisadeProcesses palisade = PalisadeProcesses.start(lab, LabCommand.launcher(), dir,
            LabTokens.of(lab.api()), Duration.ofSeconds(120))) {
      String status = LabCommand.processTable(rows(LabServer.processRows(palisade)));
      Map<String, String> urls = new java.util.TreeMap<>();
      for (String line : status.split("\n")) {
        Matcher m = URL.matcher(line);
        if (m.find()) {
          urls.put(line.split("\\s+")[0], m.group(1));
        }
      }
      assertEquals(List.of("agent-0", "controller"), List.copyOf(urls.keySet()), "lab status lists a metrics URL "
          + "per process:\n" + status);
      String agent = urls.get("agent-0");
      String controller = urls.get("controller");
      String health = agent.replace("/metrics", "/healthz/ready");
      eventually(() -> status(health) == 200, "the agent ready once its first sync is in force");

      lab.apply(APP);
      lab.awaitReady(Duration.ofSeconds(60));
      LabNetwork.Pod web = pod(lab, "shop/web-");
      LabNetwork.Pod db = pod(lab, "shop/db-0");
      HttpResponse<String> set = palisade.httpClient().send(HttpRequest.newBuilder(URI.create(palisade.url() + "/v1/mode"))
          .header("Authorization", "Bearer " + palisade.approverToken())
          .POST(HttpRequest.BodyPublishers.ofString("{\"namespace\":\"shop\",\"mode\":\"enforce\"}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, set.statusCode(), set.body());

      // 1. a denied connection: counted as an enforce drop
      double dropsBefore = scrape(agent).sum("palisade_agent_drops_total", Map.of("kind", "enforce"));
      eventually(() -> !Prober.probe(web, db.ip(), 5432, "TCP", Duration.ofMillis(500)), "web -> db denied");
      eventually(() -> scrape(agent).sum("palisade_agent_drops_total", Map.of("kind", "enforce")) > dropsBefore,
          "the denied connection counted as a drop");

      // 2. someone deletes the table: restored and counted
      double repairs = scrape(agent).sum("palisade_agent_tamper_repairs_total");
      lab.network().nodes().get(0).ns().exec("nft", "delete", "table", "inet", "palisade");
      eventually(() -> scrape(agent).sum("palisade_agent_tamper_repairs_total") >= repairs + 1,
          "the deleted table counted as a tamper repair");
      eventually(() -> !Prober.probe(web, db.ip(), 5432, "TCP", Duration.ofMillis(500)), "denied again once restored");

      // 3. flow reports the controller refuses: a malformed one from the agent, one with an unknown token
      String agentToken = Files.readString(dir.resolve("agent-0.token")).strip();
      assertEquals(400, postFlows(palisade, agentToken, "{\"node\":\"lab-node-0\",\"flows\":"));
      assertEquals(401, postFlows(palisade, "no-such-agent-token", "{\"node\":\"lab-node-0\",\"sequence\":1,"
          + "\"flows\":[]}"));
      ScrapedSamples c = scrape(controller);
      assertTrue(c.sum("palisade_controller_flow_reports_refused_total", Map.of("reason", "malformed")) >= 1,
          "the malformed report counted");
      assertTrue(c.sum("palisade_controller_flow_reports_refused_total", Map.of("reason", "unauthenticated")) >= 1,
          "the unknown agent's report counted");
      assertTrue(c.sum("palisade_controller_authentication_failures_total") >= 1);
      assertTrue(c.sum("palisade_controller_api_requests_total", Map.of("route", "POST /v1/mode", "code", "200")) >= 1);
      assertEquals(1, c.sum("palisade_controller_leader"), "the lab's controller leads");
      assertTrue(c.sum("palisade_controller_allowlist_revision") >= 1, "enforcing shop published a revision");

      // every URL answers with its families, the JVM's and the process's
      ScrapedSamples a = scrape(agent);
      for (String family : List.of("palisade_agent_sync_duration_seconds_count", "palisade_agent_ruleset_elements",
          "palisade_agent_apply_failures_total", "palisade_agent_resyncs_total", "palisade_agent_would_drops_total",
          "palisade_agent_conntrack_events_lost_total", "palisade_agent_flows_reported_total",
          "palisade_agent_pods_covered", "palisade_agent_ready", "jvm_memory_used_bytes",
          "process_cpu_seconds_total")) {
        assertTrue(a.has(family), "agent-0 has no " + family);
      }
      assertTrue(a.sum("palisade_agent_pods_covered") >= 2, "web and db are covered");
      assertTrue(a.sum("palisade_agent_resyncs_total") >= 2, "the first write and the repair were full writes");
      for (String family : List.of("palisade_controller_flow_records_ingested_total",
          "palisade_controller_publish_duration_seconds_count",
          "jvm_memory_used_bytes", "process_cpu_seconds_total")) {
        assertTrue(c.has(family), "controller has no " + family);
      }
    }
  }

  private static List<String[]> rows(String tsv) {
    List<String[]> out = new ArrayList<>();
    Arrays.stream(tsv.split("\n")).filter(l -> !l.isBlank()).forEach(l -> out.add(l.split("\t")));
    return out;
  }

  private static LabNetwork.Pod pod(Lab lab, String prefix) {
    Predicate<LabNetwork.Pod> p = x -> x.key().startsWith(prefix);
    return lab.network().pods().stream().filter(p).findFirst().orElseThrow(() -> new AssertionError("no pod " + prefix));
  }

  private int postFlows(PalisadeProcesses palisade, String token, String body) throws Exception {
    return palisade.httpClient().send(HttpRequest.newBuilder(URI.create(palisade.url() + "/v1/flows")).header("Authorization", "Bearer " + token)
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  private int status(String url) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (java.io.IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private ScrapedSamples scrape(String url) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
          .build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode(), url);
      return ScrapedSamples.parse(r.body());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(url, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void eventually(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(45).toNanos();
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "timed out: " + what);
      Thread.sleep(200);
    }
  }
}
