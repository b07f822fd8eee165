package dev.palisade.dataplane.agent;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The agent's Prometheus families ({@code palisade_agent_*}), in a registry of its own (one per
 * agent: a test JVM runs several). Events are counted where they happen (the traffic, reporter and
 * gate threads call the {@code on...} methods); what the agent already keeps (repairs, failures,
 * the applied ruleset) is read at scrape time through {@link #readFrom}, so it is never counted
 * twice. The dashboard (deploy/grafana/palisade.json) is built on these names.
 */
public final class AgentMetrics {
  /** Sync and apply take milliseconds at 100 pods and seconds at 10k (bench/RESULTS.md). */
  private static final double[] SYNC_BUCKETS = {.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30};

  private final PrometheusRegistry registry;
  private final Histogram syncDuration;
  private final Counter drops;
  private final Counter wouldDrops;
  private final Counter conntrackEvents;
  private final Counter conntrackLost;
  private final Counter flowsReported;
  private final Counter reportFailures;
  private final Counter deltaMismatches;
  private final Counter earlyPodReads;
  private final Histogram podRules;
  private final Gauge ready;

  /** What the agent keeps itself, read when scraped. */
  public interface Readings {
    /** Elements of each set and map of the ruleset in force, by name. */
    Map<String, Integer> rulesetElements();

    long applyFailures();

    /** Full rewrites of the table (the first write, after a failure, after a repair). */
    long resyncs();

    long tamperRepairs();

    long syncFailures();

    long connectionsCut();

    /** nftables transactions committed since the agent started (a bounded write counts each). */
    long commits();

    /**
     * The longest single nftables commit since the agent started, in nanoseconds: how long it held
     * the kernel's nftables mutex at most (issue 16: no commit over 50 ms, a restart included).
     */
    long longestCommitNanos();

    /** Local pods the rules in force know. */
    int podsCovered();
  }

  public AgentMetrics() {
    this(new PrometheusRegistry());
  }

  public AgentMetrics(PrometheusRegistry registry) {
    this.registry = registry;
    syncDuration = Histogram.builder().name("palisade_agent_sync_duration_seconds")
        .help("Time of one successful sync, informers to kernel, by what asked for it")
        .labelNames("cause").classicOnly().classicUpperBounds(SYNC_BUCKETS).register(registry);
    drops = Counter.builder().name("palisade_agent_drops_total")
        .help("Packets the rules dropped and logged, by kind (enforce, np, v6)").labelNames("kind").register(registry);
    wouldDrops = Counter.builder().name("palisade_agent_would_drops_total")
        .help("Packets monitor mode would have dropped, by kind").labelNames("kind").register(registry);
    conntrackEvents = Counter.builder().name("palisade_agent_conntrack_events_total")
        .help("Conntrack events received, by type").labelNames("type").register(registry);
    conntrackLost = Counter.builder().name("palisade_agent_conntrack_events_lost_total")
        .help("Times the kernel said conntrack events were lost (socket buffer overrun)").register(registry);
    flowsReported = Counter.builder().name("palisade_agent_flows_reported_total")
        .help("Flow records the controller accepted").register(registry);
    reportFailures = Counter.builder().name("palisade_agent_report_failures_total")
        .help("Reports to the controller that failed, by report (flows, drops)").labelNames("report")
        .register(registry);
    podRules = Histogram.builder().name("palisade_agent_pod_rules_seconds")
        .help("Time from a pod's start (CNI ADD) to its rules in force").classicOnly()
        .classicUpperBounds(SYNC_BUCKETS).register(registry);
    deltaMismatches = Counter.builder().name("palisade_agent_delta_mismatches_total")
        .help("Periodic full recomputes that differed from the sync computed from pod changes (the full one won)")
        .register(registry);
    earlyPodReads = Counter.builder().name("palisade_agent_pod_start_early_reads_total")
        .help("Pod starts whose pod the informer had not delivered yet: read from the API server instead")
        .register(registry);
    ready = Gauge.builder().name("palisade_agent_ready")
        .help("1 once the first full sync is in force (the readiness probe)").register(registry);
    for (String kind : new String[] {"enforce", "np", "v6"}) {
      drops.labelValues(kind); // present at 0: a rate() over a fresh agent is 0, not absent
    }
    wouldDrops.labelValues("monitor");
  }

  /** Registers the families read from the agent's own state when scraped; once. */
  public AgentMetrics readFrom(Readings r) {
    GaugeWithCallback.builder().name("palisade_agent_ruleset_elements")
        .help("Elements of each set and map of the ruleset in force").labelNames("set")
        .callback(cb -> r.rulesetElements().forEach((set, n) -> cb.call(n, set))).register(registry);
    counter("palisade_agent_apply_failures_total", "nftables transactions the kernel refused", r::applyFailures);
    counter("palisade_agent_resyncs_total", "Full rewrites of the table (first write, after a failure or repair)",
        r::resyncs);
    counter("palisade_agent_tamper_repairs_total", "Times the table was found changed by someone else and restored",
        r::tamperRepairs);
    counter("palisade_agent_sync_failures_total", "Syncs that failed (retried after a back-off)", r::syncFailures);
    counter("palisade_agent_connections_cut_total", "Live connections cut because a policy change denied them",
        r::connectionsCut);
    counter("palisade_agent_commits_total", "nftables transactions committed (a bounded write counts each)",
        r::commits);
    GaugeWithCallback.builder().name("palisade_agent_longest_commit_seconds")
        .help("Longest single nftables commit since the agent started (how long it held the nftables mutex)")
        .callback(cb -> cb.call(r.longestCommitNanos() / 1e9)).register(registry);
    GaugeWithCallback.builder().name("palisade_agent_pods_covered").help("Local pods the rules in force cover")
        .callback(cb -> cb.call(r.podsCovered())).register(registry);
    return this;
  }

  private void counter(String name, String help, LongSupplier value) {
    CounterWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.getAsLong())).register(registry);
  }

  public PrometheusRegistry registry() {
    return registry;
  }

  void onSync(String cause, long nanos) {
    syncDuration.labelValues(cause).observe(nanos / 1e9);
  }

  void onDeltaMismatch() {
    deltaMismatches.inc();
  }

  void onFirstSync() {
    ready.set(1);
  }

  /** An NFLOG'd packet: {@code kind} from its prefix (enforce, np, v6, monitor). */
  void onDrop(String kind, boolean wouldDrop) {
    (wouldDrop ? wouldDrops : drops).labelValues(kind).inc();
  }

  void onConntrackEvent(String type) {
    conntrackEvents.labelValues(type).inc();
  }

  void onConntrackLost() {
    conntrackLost.inc();
  }

  void onFlowsReported(int n) {
    flowsReported.inc(n);
  }

  void onReportFailed(String report) {
    reportFailures.labelValues(report).inc();
  }

  void onEarlyPodRead() {
    earlyPodReads.inc();
  }

  void onPodCovered(long nanos) {
    podRules.observe(nanos / 1e9);
  }
}
