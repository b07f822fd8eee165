package dev.palisade.bench;

import dev.palisade.dataplane.agent.NodeAgent;
import dev.palisade.lab.cluster.Lab;
import dev.palisade.lab.cluster.LabPalisade;
import dev.palisade.lab.net.LabNetwork;
import dev.palisade.lab.net.Prober;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How long a review decision takes to be enforced: from an approver's POST /v1/review (approve,
 * then back to learned, alternately, for one edge of an enforced namespace) to every agent having
 * committed the ruleset of the revision the controller published for it. Baseline in the same
 * run: the API call's own round trip (the controller compiling and publishing the allow-lists).
 * Every tenth decision is checked with a real probe (approved: connects; not approved: refused).
 *
 * <p>Usage: {@code scripts/bench.sh approval-latency [DECISIONS] [PODS] [NODES] [REMOTE_PODS]} (as root).
 */
public final class ApprovalLatencyBench {
  private static final Pattern REVISION = Pattern.compile("\"revision\":(\\d+)");

  private ApprovalLatencyBench() {}

  public static void main(String[] args) throws Exception {
    int decisions = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    int pods = args.length > 1 ? Integer.parseInt(args[1]) : 40;
    int nodes = args.length > 2 ? Integer.parseInt(args[2]) : 2;
    int remote = args.length > 3 ? Integer.parseInt(args[3]) : 0;
    long[] api = new long[decisions];
    long[] enforced = new long[decisions];
    int probed = 0;
    int wrong = 0;
    // -Dpalisade.bench.lab=ID: another lab id (its namespaces are pal-ID-*), so that two runs on one machine do not reap each other's
    try (Lab lab = Lab.start(System.getProperty("palisade.bench.lab", "apb"), nodes)) {
      lab.apply("""
          apiVersion: v1
          kind: Namespace
          metadata: {name: shop}
          ---
          apiVersion: apps/v1
          kind: Deployment
          metadata: {name: web, namespace: shop}
          spec:
            replicas: %d
            selector: {matchLabels: {app: web}}
            template:
              metadata: {labels: {app: web}}
              spec:
                containers: [{name: c, image: bench, ports: [{containerPort: 8080}]}]
          ---
          apiVersion: apps/v1
          kind: Deployment
          metadata: {name: api, namespace: shop}
          spec:
            replicas: %d
            selector: {matchLabels: {app: api}}
            template:
              metadata: {labels: {app: api}}
              spec:
                containers: [{name: c, image: bench, ports: [{containerPort: 9090}]}]
          """.formatted(pods / 2, pods - pods / 2));
      lab.awaitReady(Duration.ofMinutes(5));
      LabPalisade pal = lab.palisade().orElseThrow();
      if (remote > 0) {
        // the rest of a large cluster: API-only pods of other nodes, admitted into shop's pods by a
        // NetworkPolicy (which admits shop's own pods too, so Palisade's decision still decides)
        lab.apply(PodLatencyBench.ADMIT_REMOTE.formatted("shop", "{podSelector: {}}, ", RemotePods.NAMESPACE_LABEL,
            RemotePods.NAMESPACE_LABEL_VALUE, 9090));
        Set<String> ips = new java.util.HashSet<>(new RemotePods(lab).create(remote));
        lab.network().pods().forEach(p -> ips.add(p.ip()));
        pal.awaitConverged(ips, Duration.ofMinutes(10));
      }
      List<LabNetwork.Pod> web = pods(lab, "web");
      List<LabNetwork.Pod> apis = pods(lab, "api");
      for (LabNetwork.Pod w : web) {
        Prober.connect(w.ns(), apis.get(0).ip(), 9090, "TCP", Prober.DEFAULT_TIMEOUT, false);
      }
      pal.flushFlows(Duration.ofSeconds(10));
      post(pal, "/v1/mode", "{\"namespace\":\"shop\",\"mode\":\"enforce\"}");
      lab.awaitReady(Duration.ofMinutes(2));
      String edge = "{\"from\":\"shop/Deployment/web\",\"to\":\"shop/Deployment/api\",\"port\":9090,\"protocol\":\"TCP\"}";
      for (int i = 0; i < decisions; i++) {
        boolean approve = i % 2 == 0;
        long t0 = System.nanoTime();
        String r = post(pal, "/v1/review", "{\"status\":\"" + (approve ? "approved" : "learned") + "\",\"only\":[" + edge + "]}");
        long t1 = System.nanoTime();
        Matcher m = REVISION.matcher(r);
        if (!m.find()) {
          throw new IllegalStateException("no revision in " + r);
        }
        long revision = Long.parseLong(m.group(1));
        while (!pal.agents().stream().allMatch(a -> a.converged(revision, Set.of()))) {
          // a 0.1 ms nap, not a spin: on 2 cores a spinning bench took 41% of the CPU the agents it waits for need
          java.util.concurrent.locks.LockSupport.parkNanos(100_000);
        }
        long t2 = System.nanoTime();
        api[i] = t1 - t0;
        enforced[i] = t2 - t0;
        if (i % 10 == 0) {
          probed++;
          boolean ok = Prober.probe(web.get(i % web.size()), apis.get(i % apis.size()).ip(), 9090, "TCP",
              Prober.DEFAULT_TIMEOUT);
          if (ok != approve) {
            wrong++;
            System.err.printf("decision %d (%s, revision %d): probe %s -> %s:9090 %s%n", i, approve ? "approved" : "learned",
                revision, web.get(i % web.size()).key(), apis.get(i % apis.size()).key(), ok ? "connected" : "refused");
          }
        }
      }
      if (pal.agents().stream().mapToLong(NodeAgent::applyFailures).sum() != 0) {
        throw new IllegalStateException("an agent failed to apply");
      }
    }
    Arrays.sort(api);
    Arrays.sort(enforced);
    String md = String.format(java.util.Locale.ROOT, """

        ## Review decision -> enforced (%s)

        %s
        Command: `scripts/bench.sh approval-latency %d %d %d%s`. %d decisions (approve, then back to learned, alternately) \
        on the edge web -> api:9090 of an enforced namespace, %d pods on %d nodes%s. Enforced: from the approver's POST \
        /v1/review until every agent has committed the ruleset of the revision the controller answered with. Baseline: \
        the API round trip itself (the controller compiles, publishes the AllowLists and answers). Probes: %d of %d \
        decisions checked with a real connection, %d wrong.

        | | p50 (ms) | p90 (ms) | p99 (ms) | max (ms) |
        |---|---|---|---|---|
        %s%s
        Ratio enforced / API round trip: p50 %.2f, p99 %.2f.
        """, LocalDate.now(), Machine.describe(), decisions, pods, nodes, remote > 0 ? " " + remote : "", decisions, pods,
        nodes, remote > 0 ? String.format(java.util.Locale.ROOT, ", beside %,d API-only pods of other nodes (Deployments "
            + "of 10; a NetworkPolicy admits them into shop, so their addresses are in both nodes' rules)", remote) : "",
        probed, decisions,
        wrong, Stats.row("decision -> enforced on every node", enforced), Stats.row("baseline: the API call (compile + publish)", api),
        Stats.pct(enforced, 50) / Stats.pct(api, 50), Stats.pct(enforced, 99) / Stats.pct(api, 99));
    Files.writeString(Path.of(System.getProperty("palisade.results", "bench/RESULTS.md")), md,
        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    System.out.print(md);
    if (wrong > 0) {
      System.exit(1);
    }
  }

  private static List<LabNetwork.Pod> pods(Lab lab, String workload) {
    return lab.network().pods().stream().filter(p -> p.key().startsWith("shop/" + workload + "-"))
        .sorted(java.util.Comparator.comparing(LabNetwork.Pod::key)).toList();
  }

  private static String post(LabPalisade pal, String path, String body) throws Exception {
    HttpResponse<String> r = pal.httpClient().send(HttpRequest.newBuilder(URI.create(pal.url() + path))
        .header("Authorization", "Bearer " + pal.approverToken()).timeout(Duration.ofSeconds(30))
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException(path + ": " + r.statusCode() + " " + r.body());
    }
    return r.body();
  }


}
