package dev.palisade.dataplane.agent;

import dev.palisade.dataplane.flow.FlowSink;
import dev.palisade.kernel.conntrack.Conntrack;
import dev.palisade.kernel.nflog.NflogEvent;
import dev.palisade.kernel.nft.Nftables;
import dev.palisade.model.PortRange;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node agent, wired. It reads the cluster and programs this node's kernel; each role is a
 * class of its own:
 *
 * <pre>
 *  AgentInformers (pods, owners, identities, AllowLists, modes, NetworkPolicy, namespaces,
 *                  the controller's defaults, failsafe Services/EndpointSlices/nodes)
 *     | handlers only note a change and ask for a sync
 *     v
 *  SyncRunner (one thread, min interval, back-off after failure, periodic full resync)
 *     -> NodeSync, one sync:
 *        pod delta (the pods changed since the last sync) + snapshot
 *        -> TableGuard: what others changed (nftables monitor; periodic verify) -> KernelSync repairs it
 *        -> NodeRulesCalculator (pure: fail closed, bad objects skipped -> ObjectProblems; moves
 *           only the changed pods; DeltaBackstop compares with a full recompute every 5 minutes)
 *        -> KernelSync: RulesetRenderer -> ChangedPartsApplier -> nftables; tighten via conntrack
 *        -> AppliedSync (what is in force: for the pod-start gate, metrics, labs)
 *     -> AgentMetrics, SyncTimes (here: what the sync cost, why it ran)
 *  PodStartGate: CNI ADD waits for a sync that covers the pod's address
 *     -> DnsHoldRunner: approved DNS names per local pod; NFQUEUE rule at the cluster DNS
 *  DNS answers (NFQUEUE, own thread) -> DnsHold: ResolvedNames + fqdn4 elements, then release
 *  conntrack NEW, NFLOG (their own threads) -> TrafficObserver (+ ResolvedNames: dns:NAME)
 *     -> ControllerReporter (own thread)
 *  AgentMetrics: counted by the above as things happen; the rest read from them when scraped
 * </pre>
 *
 * Nothing is written until every informer has listed and the controller's default mode is
 * known: until then the table already in the kernel stays in force, never flushed to start over.
 */
public final class NodeAgent implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(NodeAgent.class);
  private static final java.lang.management.ThreadMXBean CPU =
      java.lang.management.ManagementFactory.getThreadMXBean();

  private final String nodeName;
  private final Nftables nft;
  private final AgentInformers informers;
  private final KernelSync kernel;
  private final AgentMetrics metrics = new AgentMetrics();
  private final TrafficObserver traffic = new TrafficObserver(metrics);
  /** Why syncs were asked for since the last one ran (a sync serves all of them): its metric's cause. */
  private final Set<String> causes = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private volatile boolean ready;
  private final ControllerReporter reporter;
  private final PodStartGate gate;
  private final SyncRunner runner;
  private final ObjectProblems problems;
  private final SinkInBackground warningEvents;
  private final Conntrack conntrack;
  private TableGuard guard;
  private final SyncTimes syncTimes = new SyncTimes();
  private final SyncTrace syncTrace = new SyncTrace();
  /** The pod-start goal (issue 16: p99 20 ms): a start slower than this is logged with its syncs. */
  private static final long SLOW_POD_START_NANOS = 20_000_000L;
  private FailsafeBuilder.Config failsafe = FailsafeBuilder.Config.DEFAULT;
  private final dev.palisade.dataplane.dns.ResolvedNames resolvedNames = new dev.palisade.dataplane.dns.ResolvedNames();
  private dev.palisade.dataplane.dns.DnsHoldRunner dnsHold;
  /**
   * The backstop of the nftables monitor. Not more often: reading back a table of 100k elements
   * costs seconds of the sync thread (bench/RESULTS.md, restart adoption).
   */
  private Duration verifyEvery = Duration.ofSeconds(60);
  private NodeSync step;
  private AutoCloseable subscription;
  private final AppliedSync applied = new AppliedSync();
  /** Pod starts' reads of pods the informer has not delivered (two at a time: the API server is shared). */
  private final java.util.concurrent.ExecutorService podReads = java.util.concurrent.Executors.newFixedThreadPool(2,
      r -> {
        Thread t = new Thread(r, "pod-read");
        t.setDaemon(true);
        return t;
      });

  public NodeAgent(KubernetesClient client, String nodeName, Nftables nft, Conntrack conntrack, FlowSink sink) {
    this.nodeName = nodeName;
    this.nft = nft;
    this.conntrack = conntrack;
    this.kernel = new KernelSync(nodeName, nft, conntrack);
    this.reporter = new ControllerReporter(nodeName, traffic, sink, metrics);
    this.warningEvents = new SinkInBackground(nodeName, new WarningEvents(client, nodeName));
    this.problems = new ObjectProblems(nodeName, warningEvents);
    this.runner = new SyncRunner(nodeName, this::sync, Duration.ofMillis(1), Duration.ofSeconds(5),
        Duration.ofSeconds(60));
    this.informers = new AgentInformers(client, nodeName, kind -> request(SyncCause.INFORMER));
    this.gate = new PodStartGate(nodeName, new PodStartGate.Rules() {
      @Override
      public long request() {
        return NodeAgent.this.request(SyncCause.POD_START);
      }

      @Override
      public long completed() {
        return runner.completed();
      }

      @Override
      public boolean covers(String ip) {
        return applied.localIdentity().containsKey(ip);
      }
    });
    metrics.readFrom(new KernelReadings(kernel, runner, () -> applied.localIdentity().size()));
  }

  /** Asks the runner for a sync, noting why (for the sync duration's cause label). */
  private long request(String cause) {
    causes.add(cause);
    return runner.request();
  }

  /** What is never cut (on by default: this node, the API server, the cluster DNS); set before start. */
  public NodeAgent failsafe(FailsafeBuilder.Config config) {
    this.failsafe = config;
    return this;
  }

  /**
   * Connections from these source ports are not learned: Palisade's own measurement probes (the
   * lab's, or a health checker's) would otherwise teach the graph edges nobody uses.
   */
  public NodeAgent ignoreSourcePorts(PortRange ports) {
    traffic.ignoreSourcePorts(ports);
    return this;
  }

  /**
   * Holds DNS answers from the cluster DNS on NFQUEUE {@code queue} until approved names'
   * addresses are in the fqdn4 set (set before start). Without it, AllowList peerName rules open
   * nothing; world flows are still attributed to names only when the hold sees the answers.
   */
  public NodeAgent dnsHold(int queue, dev.palisade.dataplane.dns.DnsHoldHook.Runner iptables,
      java.util.function.Function<dev.palisade.kernel.nfqueue.PacketQueue.Handler,
          dev.palisade.kernel.nfqueue.PacketQueue> opener) {
    this.dnsHold = new dev.palisade.dataplane.dns.DnsHoldRunner(nft, resolvedNames, queue, iptables, opener);
    traffic.resolvedNames(resolvedNames);
    return this;
  }

  /**
   * The DNS hold on the real kernel, in {@code ns} (null: this process's own namespace, as in a
   * node's hostNetwork pod): the queue rule through iptables-nft there, the queue socket opened
   * there. The agent process and the lab's in-process agents share this, so both hold answers alike.
   */
  public NodeAgent dnsHoldOnKernel(dev.palisade.kernel.netns.NetNs ns) {
    int queue = dev.palisade.dataplane.dns.DnsHoldHook.DEFAULT_QUEUE;
    String[] in = ns == null ? new String[0] : new String[] {"ip", "netns", "exec", ns.name()};
    return dnsHold(queue, argv -> {
      List<String> full = new java.util.ArrayList<>(List.of(in));
      full.addAll(argv);
      try {
        return dev.palisade.kernel.netns.Commands.runAllowingFailure(full.toArray(String[]::new)).exitCode() == 0;
      } catch (RuntimeException e) { // iptables-nft missing: the hold logs it and stays off
        return false;
      }
    }, handler -> ns == null ? dev.palisade.kernel.nfqueue.NfQueue.open(queue, handler)
        : ns.call(() -> dev.palisade.kernel.nfqueue.NfQueue.open(queue, handler)));
  }

  /** How often the kernel's table is compared with what was applied (the backstop of the monitor). */
  public NodeAgent verifyEvery(Duration period) {
    this.verifyEvery = period;
    return this;
  }

  public void start(Duration syncTimeout) {
    guard = new TableGuard(nft, verifyEvery, this::request);
    step = new NodeSync(nodeName, failsafe, informers, guard, kernel, gate, traffic, problems, applied, dnsHold,
        resolvedNames, metrics);
    informers.start(failsafe);
    informers.awaitSynced(syncTimeout);
    if (conntrack != null) {
      subscription = conntrack.subscribe(traffic::onConnection, () -> {
        metrics.onConntrackLost();
        LOG.warn("{}: conntrack events lost", nodeName);
      });
    }
    reporter.start();
    // another tool's change to the table (nft flush ruleset, a firewall restart), or the periodic
    // check: repaired by the next sync
    guard.start();
    runner.start();
  }

  /** One sync, on the runner's thread, timed and counted. True if it is in force. */
  private boolean sync() {
    long started = System.nanoTime();
    long startedCpu = CPU.getCurrentThreadCpuTime();
    long startedGc = GcPauses.nanos();
    boolean first = runner.completed() == 0;
    Set<String> asked = SyncCause.drain(causes);
    NodeSync.Outcome outcome = step.run();
    if (outcome != NodeSync.Outcome.APPLIED) {
      causes.addAll(asked); // the retry serves them
      return false;
    }
    metrics.onSync(first ? SyncCause.FIRST : SyncCause.of(asked), System.nanoTime() - started);
    if (first) {
      LOG.info("{}: first sync in force ({} local pods, {} pod addresses)", nodeName, applied.localIdentity().size(),
          applied.podIpCount());
      ready = true;
      metrics.onFirstSync();
    }
    long ended = System.nanoTime();
    syncTimes.add(ended - started, CPU.getCurrentThreadCpuTime() - startedCpu);
    syncTrace.add(new SyncTrace.Sync(started, ended, String.join("+", asked),
        step.lastSteps().withGc(GcPauses.nanos() - startedGc)));
    return true;
  }

  /** A packet the ruleset logged to NFLOG (drop group 100, would-drop group 101). */
  public void onLog(NflogEvent ev) {
    traffic.onLog(ev);
  }

  /**
   * A local pod is about to get its network (the CNI ADD moment): returns once this node's rules
   * cover its IP, so its first packet meets its workload's policy, never an open door.
   */
  public void podStarting(String namespace, String name, String ip, Duration timeout) {
    long t0 = System.nanoTime();
    long gc0 = GcPauses.nanos();
    // the informer may not have delivered the pod yet (or only unbound): it is read from the API
    // server beside the wait, and whichever comes first, the watch event or the read, lets a sync
    // cover it. Not before the wait: under load the read took longer than the watch (10-60 ms).
    java.util.concurrent.CompletableFuture<Boolean> read = informers.undelivered(namespace, name)
        ? java.util.concurrent.CompletableFuture.supplyAsync(() -> readEarly(namespace, name), podReads)
        : java.util.concurrent.CompletableFuture.completedFuture(false);
    gate.await(namespace, name, ip, timeout);
    long t1 = System.nanoTime();
    metrics.onPodCovered(t1 - t0);
    if (t1 - t0 > SLOW_POD_START_NANOS) {
      // what a slow start waited for: the watch event (read early or not), a sync under way when it
      // asked, several, or one slow step
      LOG.info("{}: pod start {}/{} ({}) took {} ms{}, gc {} ms: {}", nodeName, namespace, name, ip,
          (t1 - t0) / 1_000_000, read.getNow(false) ? " (read before its informer event)" : "",
          (GcPauses.nanos() - gc0) / 1_000_000, syncTrace.describe(t0, t1));
    }
  }

  /** A pod start's read of its pod (see {@link AgentInformers#readIfUndelivered}); asks for a sync if it helped. */
  private boolean readEarly(String namespace, String name) {
    if (!informers.readIfUndelivered(namespace, name)) {
      return false;
    }
    metrics.onEarlyPodRead();
    request(SyncCause.POD_START);
    return true;
  }

  /** True once the first full sync is in force (the readiness probe: /healthz/ready). */
  public boolean ready() {
    return ready;
  }

  /** This agent's Prometheus families (served by {@link dev.palisade.dataplane.metrics.MetricsServer}). */
  public AgentMetrics metrics() {
    return metrics;
  }

  /** True when the kernel holds everything the informers hold, at least this revision, and these pod IPs. */
  public boolean converged(long revision, Set<String> podIps) {
    return runner.idle() && applied.covers(revision, podIps);
  }

  /**
   * True when the ruleset in the kernel was computed from exactly these objects of the kind
   * (NetworkPolicy, Namespace or Pod; namespace/name -> resourceVersion): a lab or a test uses it
   * to know that a change it wrote is enforced, without sleeping.
   */
  public boolean enforces(String kind, Map<String, String> versions) {
    return applied.enforces(kind, versions);
  }

  /** Sends every connection seen so far now (approve-learned waits for this). */
  public void flushFlows() {
    reporter.report();
  }

  /** How long the most recent successful syncs (up to 10,000) took, informers to kernel, in nanoseconds. */
  public List<Long> syncTimes() {
    return syncTimes.wall();
  }

  /** The CPU time of the syncs {@link #syncTimes} lists, in the same order, in nanoseconds. */
  public List<Long> syncCpuTimes() {
    return syncTimes.cpu();
  }

  /** How long the most recent pod starts (up to 10,000) waited for their rules, in nanoseconds. */
  public List<Long> podCoverTimes() {
    return gate.waits();
  }

  public String nodeName() {
    return nodeName;
  }

  public long connectionsSeen() {
    return traffic.connectionsSeen();
  }

  public long dropsLogged() {
    return traffic.dropsLogged();
  }

  public long wouldDropsLogged() {
    return traffic.wouldDropsLogged();
  }

  /** Live connections cut because a policy change denied them. */
  public long connectionsCut() {
    return kernel.connectionsCut();
  }

  public long applyFailures() {
    return kernel.applyFailures();
  }

  /** Times the table was found changed by someone else and rewritten. */
  public long tableRepairs() {
    return kernel.repairs();
  }

  /** Distinct bad objects skipped and reported so far. */
  public long objectProblems() {
    return problems.reported();
  }

  /** Stops watching and reporting; the ruleset stays in the kernel (enforcement outlives the agent). */
  @Override
  public void close() {
    if (subscription != null) {
      try {
        subscription.close();
      } catch (Exception e) {
        LOG.debug("closing the conntrack subscription", e);
      }
    }
    if (guard != null) {
      guard.close();
    }
    informers.close();
    podReads.shutdownNow();
    runner.close();
    warningEvents.close();
    if (dnsHold != null) {
      dnsHold.close();
    }
    reporter.close();
  }
}
