package dev.palisade.bench;

import dev.palisade.controller.api.Principal;
import dev.palisade.controller.api.Role;
import dev.palisade.controller.api.StaticTokens;
import dev.palisade.controller.graph.FlowGraph;
import dev.palisade.controller.service.PalisadeController;
import dev.palisade.controller.tls.ServerTls;
import dev.palisade.dataplane.tls.ControllerTrust;
import dev.palisade.lab.kube.LabApiServer;
import dev.palisade.lab.tls.LabCertificates;
import dev.palisade.model.FlowKey;
import dev.palisade.model.FlowRecord;
import dev.palisade.model.FlowReport;
import dev.palisade.model.Mode;
import dev.palisade.model.Protocol;
import dev.palisade.model.crd.LearnedFlows;
import dev.palisade.model.crd.WorkloadIdentity;
import dev.palisade.model.json.FlowReportJson;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The controller's real ingest path (issue 17): {@code POST /v1/flows} over HTTPS from simulated
 * agents, each authenticated as its node, every record vetted against the pods of that node
 * ({@code FlowVetting}), merged into the graph and persisted as LearnedFlows on the lab's API
 * server. Measures accepted records/s and LearnedFlows writes/s over the run, and, as the
 * baseline of the same run, the same records ingested straight into a {@link FlowGraph} (no HTTP,
 * JSON, vetting or persistence).
 *
 * <p>Usage: {@code java -cp bench/target/palisade-bench.jar dev.palisade.bench.IngestBench
 * [AGENTS=100] [SECONDS=20] [RECORDS_PER_REPORT=1000] [SENDERS=4]}.
 */
public final class IngestBench {
  private static final String NS = "ing";
  private static final int PODS_PER_NODE = 10;
  private static final Pattern ACCEPTED = Pattern.compile("\"accepted\":(\\d+)");

  private IngestBench() {}

  public static void main(String[] args) throws Exception {
    int agents = args.length > 0 ? Integer.parseInt(args[0]) : 100;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    int perReport = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
    int senders = args.length > 3 ? Integer.parseInt(args[3]) : 4;
    Path dir = Files.createTempDirectory("pal-ingest");
    LabCertificates.Issued tls = LabCertificates.write(dir, LabCertificates.CONTROLLER_NAMES);
    StaticTokens tokens = new StaticTokens();
    List<String> agentTokens = new ArrayList<>();
    for (int a = 0; a < agents; a++) {
      agentTokens.add(tokens.issue(new Principal(node(a), Role.AGENT)));
    }
    try (LabApiServer api = LabApiServer.start()) {
      KubernetesClient client = api.client();
      client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build()).create();
      for (int a = 0; a < agents; a++) {
        for (int p = 0; p < PODS_PER_NODE; p++) {
          Pod pod = new PodBuilder().withNewMetadata().withNamespace(NS).withName(pod(a, p))
              .withLabels(Map.of("app", pod(a, p))).endMetadata()
              .withNewSpec().withNodeName(node(a)).endSpec().build();
          client.pods().inNamespace(NS).resource(pod).create();
        }
      }
      PalisadeController controller = new PalisadeController(client, tokens, Mode.LEARN)
          .tls(ServerTls.fromPem(tls.cert(), tls.key()));
      controller.start("127.0.0.1", 0, Duration.ofSeconds(120));
      try {
        Map<String, Long> ids = identities(client, agents * PODS_PER_NODE);
        String url = "https://127.0.0.1:" + controller.port() + "/v1/flows";
        HttpClient http = HttpClient.newBuilder().sslContext(ControllerTrust.trusting(tls.ca()))
            .connectTimeout(Duration.ofSeconds(5)).build();
        Random random = new Random(17);
        List<FlowReport> reports = new ArrayList<>();
        for (int a = 0; a < agents; a++) {
          reports.add(report(a, perReport, ids, agents, random));
        }
        double baseline = inMemory(reports, ids);
        AtomicLong writes = new AtomicLong();
        Watch watch = client.resources(LearnedFlows.class).inAnyNamespace().watch(new Watcher<>() {
          @Override
          public void eventReceived(Action action, LearnedFlows lf) {
            if (action == Action.ADDED || action == Action.MODIFIED) {
              writes.incrementAndGet();
            }
          }

          @Override
          public void onClose(WatcherException cause) {}
        });
        // warm-up: a few reports from every agent (JIT, connections, the first LearnedFlows)
        send(http, url, reports, agentTokens, senders, 5_000_000_000L);
        Thread.sleep(2_000);
        long writesBefore = writes.get();
        long started = System.nanoTime();
        long accepted = send(http, url, reports, agentTokens, senders, seconds * 1_000_000_000L);
        double elapsed = (System.nanoTime() - started) / 1e9;
        Thread.sleep(1_500); // the last batch of writes the run caused
        double writesPerSecond = (writes.get() - writesBefore) / (elapsed + 1.5);
        watch.close();
        double recordsPerSecond = accepted / elapsed;
        System.err.printf(Locale.ROOT, "%,.0f records/s over HTTPS (%,d in %.1f s), %.1f LearnedFlows writes/s; "
            + "in-memory baseline %,.0f records/s%n", recordsPerSecond, accepted, elapsed, writesPerSecond, baseline);
        write(agents, seconds, perReport, senders, recordsPerSecond, writesPerSecond, baseline, accepted, elapsed);
      } finally {
        controller.close();
      }
    }
  }

  private static String node(int a) {
    return "node-" + a;
  }

  private static String pod(int a, int p) {
    return "w-" + a + "-" + p;
  }

  /** Each pod is its own workload (a bare pod): its identity, once the controller wrote it. */
  private static Map<String, Long> identities(KubernetesClient client, int want) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (true) {
      List<WorkloadIdentity> all = client.resources(WorkloadIdentity.class).inNamespace(NS).list().getItems();
      if (all.size() >= want) {
        Map<String, Long> out = new HashMap<>();
        all.forEach(wi -> out.put(wi.getSpec().name, wi.getSpec().id));
        return out;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("only " + all.size() + " of " + want + " identities after 120 s");
      }
      Thread.sleep(200);
    }
  }

  /** One agent's report: egress from its own pods to random workloads on 20 ports, as a busy node's second. */
  private static FlowReport report(int a, int records, Map<String, Long> ids, int agents, Random random) {
    long now = System.currentTimeMillis();
    List<FlowRecord> flows = new ArrayList<>();
    for (int i = 0; i < records; i++) {
      String src = pod(a, random.nextInt(PODS_PER_NODE));
      String dst = pod(random.nextInt(agents), random.nextInt(PODS_PER_NODE));
      flows.add(new FlowRecord(new FlowKey(ids.get(src), ids.get(dst), Protocol.TCP, 8000 + random.nextInt(20)), 3,
          now, now, List.of(NS + "/" + src), List.of(NS + "/" + dst)));
    }
    return new FlowReport(node(a), 1, flows);
  }

  /** Records/s into a bare FlowGraph, the same reports, named by a map: what the HTTP path adds to. */
  private static double inMemory(List<FlowReport> reports, Map<String, Long> ids) {
    Map<Long, String> names = new HashMap<>();
    ids.forEach((name, id) -> names.put(id, NS + "/Pod/" + name));
    FlowGraph g = new FlowGraph();
    long seq = 1;
    long records = 0;
    for (int warm = 0; warm < 3; warm++) {
      for (FlowReport r : reports) {
        g.ingest(new FlowReport(r.node(), seq++, r.flows()), names::get);
      }
    }
    long started = System.nanoTime();
    while (System.nanoTime() - started < 3_000_000_000L) {
      for (FlowReport r : reports) {
        g.ingest(new FlowReport(r.node(), seq++, r.flows()), names::get);
        records += r.flows().size();
      }
    }
    return records / ((System.nanoTime() - started) / 1e9);
  }

  /**
   * Sends every agent's report again and again (each time with the agent's next sequence) from
   * {@code senders} threads until the time is up; returns the records the controller accepted.
   */
  private static long send(HttpClient http, String url, List<FlowReport> reports, List<String> tokens, int senders,
      long nanos) throws Exception {
    // the JSON once per agent, the sequence spliced in per send: the harness must not be the bottleneck
    List<String[]> bodies = new ArrayList<>();
    for (FlowReport r : reports) {
      String json = FlowReportJson.write(new FlowReport(r.node(), 424242424242L, r.flows()));
      int at = json.indexOf("424242424242");
      bodies.add(new String[] {json.substring(0, at), json.substring(at + 12)});
    }
    long deadline = System.nanoTime() + nanos;
    AtomicLong sequence = new AtomicLong(System.currentTimeMillis() * 1000);
    ExecutorService pool = Executors.newFixedThreadPool(senders);
    List<Future<Long>> done = new ArrayList<>();
    for (int s = 0; s < senders; s++) {
      int first = s;
      done.add(pool.submit(() -> {
        long accepted = 0;
        for (int i = first; System.nanoTime() < deadline; i = (i + senders) % reports.size()) {
          String body = bodies.get(i)[0] + sequence.incrementAndGet() + bodies.get(i)[1];
          HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url))
              .header("Authorization", "Bearer " + tokens.get(i)).header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
          if (r.statusCode() != 200) {
            throw new IllegalStateException("agent " + i + ": " + r.statusCode() + " " + r.body());
          }
          Matcher m = ACCEPTED.matcher(r.body());
          if (m.find()) {
            accepted += Long.parseLong(m.group(1));
          }
        }
        return accepted;
      }));
    }
    long total = 0;
    for (Future<Long> f : done) {
      total += f.get();
    }
    pool.shutdown();
    return total;
  }

  private static void write(int agents, int seconds, int perReport, int senders, double recordsPerSecond,
      double writesPerSecond, double baseline, long accepted, double elapsed) throws Exception {
    StringBuilder md = new StringBuilder();
    md.append("\n## Controller ingest over HTTPS with persistence (").append(LocalDate.now()).append(")\n\n");
    md.append(Machine.describe()).append("\n");
    md.append(String.format(Locale.ROOT, "Command: `java -cp bench/target/palisade-bench.jar "
        + "dev.palisade.bench.IngestBench %d %d %d %d`. %d simulated agents, each its own node with %d bare pods "
        + "(each pod its own workload: %,d identities) on the lab's API server (fabric8's mock with the lab's "
        + "authentication and RBAC); each sends reports of %,d records (egress from its own pods to random "
        + "workloads on 20 ports; 3 connections each) over HTTPS with its agent token, %d sender threads, "
        + "each report with the agent's next sequence. Every record is vetted against the node's pods, merged into "
        + "the graph and persisted as LearnedFlows (writes counted by a watch). Measured over %.1f s after a 5 s "
        + "warm-up; the controller, the API server and the senders share the machine. Baseline: the same reports "
        + "ingested straight into a FlowGraph with a map lookup (no HTTP, JSON, TLS, vetting or persistence), "
        + "same run.%n%n", agents, seconds, perReport, senders, agents, PODS_PER_NODE, agents * PODS_PER_NODE,
        perReport, senders, elapsed));
    md.append("| path | records/s | LearnedFlows writes/s |\n|---|---|---|\n");
    md.append(String.format(Locale.ROOT, "| POST /v1/flows over HTTPS, persistence on | %,.0f | %.1f |%n",
        recordsPerSecond, writesPerSecond));
    md.append(String.format(Locale.ROOT, "| baseline: FlowGraph.ingest in memory | %,.0f | - |%n%n", baseline));
    md.append(String.format(Locale.ROOT, "Ratio HTTPS path / in-memory baseline: %.3f (%,d records accepted).%n%n",
        recordsPerSecond / baseline, accepted));
    md.append(Goal.line("the real ingest path >= 200,000 flow records/s (records/s, HTTPS, persistence on)",
        recordsPerSecond, 200_000, true, "each report is parsed strictly into records, every record vetted against "
            + "its node's pods and merged on the controller's one loop thread, beside TLS and the lab's API server on "
            + "the same 2 cores"));
    md.append(Goal.line("<= 10 API-server writes/s while ingesting (writes/s)", writesPerSecond, 10, false,
        "LearnedFlows batches"));
    Path results = Path.of(System.getProperty("palisade.results", "bench/RESULTS.md"));
    Files.writeString(results, md, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }
}
