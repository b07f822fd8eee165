package dev.palisade.dataplane.agent;

import dev.palisade.dataplane.apply.RulesetApplier;
import dev.palisade.dataplane.flow.FlowAggregator;
import dev.palisade.dataplane.flow.FlowSink;
import dev.palisade.dataplane.flow.IpHistory;
import dev.palisade.dataplane.render.DesiredRuleset;
import dev.palisade.dataplane.render.RulesetRenderer;
import dev.palisade.kernel.conntrack.Conntrack;
import dev.palisade.kernel.conntrack.ConntrackEvent;
import dev.palisade.kernel.conntrack.ConntrackFilter;
import dev.palisade.dataplane.render.AllowRect;
import dev.palisade.dataplane.render.NodeRules;
import dev.palisade.kernel.nft.Nftables;
import dev.palisade.model.DropEvent;
import dev.palisade.model.FlowRecord;
import dev.palisade.model.json.DropReportJson;
import dev.palisade.model.FlowReport;
import dev.palisade.model.Identities;
import dev.palisade.model.IdentityPolicy;
import dev.palisade.model.Mode;
import dev.palisade.model.PortRange;
import dev.palisade.model.Protocol;
import dev.palisade.model.crd.AllowList;
import dev.palisade.model.crd.AllowListCodec;
import dev.palisade.model.crd.WorkloadIdentity;
import dev.palisade.model.workload.WorkloadResolver;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import dev.palisade.dataplane.netpol.NetworkPolicyCompiler;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node agent, wired. It reads the cluster (never writes it) and programs this node's kernel.
 * Its informers are of the kinds {@link AgentAccess} declares, the source of its RBAC manifest.
 *
 * <pre>
 *  informers: pods, replicasets, jobs, WorkloadIdentity, AllowList, SegmentationMode, NetworkPolicy, Namespace,
 *             (failsafe) nodes, API server and DNS Services and EndpointSlices
 *      -> (coalesced, one thread) NetworkPolicyCompiler (local pods) + NodeRulesBuilder + FailsafeBuilder
 *      -> RulesetRenderer -> RulesetApplier -> nftables
 *  conntrack NEW (node namespace) -> IpHistory -> FlowAggregator -> every second -> FlowSink
 * </pre>
 *
 * Until every informer has synced once the agent writes nothing, so a half-read cluster never
 * becomes a ruleset. Connections are reported by the source pod's node only, so a cross-node
 * connection is counted once.
 */
public final class NodeAgent implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(NodeAgent.class);

  private final KubernetesClient client;
  private final String nodeName;
  private final RulesetApplier applier;
  private final Conntrack conntrack;
  private final FlowSink sink;
  private final Mode defaultMode;
  private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "agent-" + r.hashCode());
    t.setDaemon(true);
    return t;
  });
  private final AtomicBoolean pending = new AtomicBoolean();
  private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
  /** 401/403 answers to the informers' lists and watches, newest last. */
  private final java.util.concurrent.ConcurrentLinkedQueue<String> refusals = new java.util.concurrent.ConcurrentLinkedQueue<>();
  private final IpHistory history = new IpHistory(Duration.ofMinutes(10).toMillis());
  private final FlowAggregator flows = new FlowAggregator();
  private final List<FlowRecord> unsent = new ArrayList<>();
  private final AtomicLong sequence = new AtomicLong(System.currentTimeMillis());
  private final AtomicLong events = new AtomicLong();
  private final AtomicLong cut = new AtomicLong();
  private final List<DropEvent> drops = new ArrayList<>();
  private final AtomicLong dropsOverflow = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong wouldDropped = new AtomicLong();
  private NodeRules lastRules;
  /** Bumped by every ReplicaSet and Job event: pods' cached workloads are then resolved again. */
  private final AtomicLong ownersChanged = new AtomicLong();
  private final PodFacts podFacts;
  private final dev.palisade.dataplane.render.ElementMemo elementMemo = new dev.palisade.dataplane.render.ElementMemo();
  private final dev.palisade.dataplane.netpol.PodViews podViews = new dev.palisade.dataplane.netpol.PodViews();
  private SharedIndexInformer<Pod> pods;
  private SharedIndexInformer<ReplicaSet> replicaSets;
  private SharedIndexInformer<Job> jobs;
  private SharedIndexInformer<WorkloadIdentity> identities;
  private SharedIndexInformer<AllowList> allowLists;
  private SharedIndexInformer<NetworkPolicy> networkPolicies;
  private SharedIndexInformer<dev.palisade.model.crd.SegmentationMode> modes;
  private SharedIndexInformer<Namespace> namespaces;
  private List<String> lastPolicyProblems = List.of();
  /** What the last applied sync was computed from, per kind: for {@link #enforces}. */
  private volatile Map<String, List<? extends HasMetadata>> appliedFrom = Map.of();
  private AutoCloseable subscription;
  private volatile long appliedRevision = -1;
  private volatile long appliedGeneration;
  private final AtomicLong generation = new AtomicLong();
  private volatile Set<String> appliedPodIps = Set.of();
  private volatile Map<String, Long> localIdentity = Map.of();
  /** IPs of local pods announced before the API server has them in the pod's status (CNI ADD). */
  private final java.util.ArrayDeque<Long> coverTimes = new java.util.ArrayDeque<>();
  private final java.util.ArrayDeque<Long> syncTimes = new java.util.ArrayDeque<>();
  /** The same syncs' CPU time on the agent's thread: wall time minus waiting for a core or the kernel. */
  private final java.util.ArrayDeque<Long> syncCpuTimes = new java.util.ArrayDeque<>();
  private static final java.lang.management.ThreadMXBean CPU = java.lang.management.ManagementFactory.getThreadMXBean();
  private final Map<String, String> announced = new java.util.concurrent.ConcurrentHashMap<>();

  private PortRange ignoredSourcePorts;
  private FailsafeBuilder.Config failsafe = FailsafeBuilder.Config.DEFAULT;
  private SharedIndexInformer<io.fabric8.kubernetes.api.model.Node> nodes;
  private final List<SharedIndexInformer<io.fabric8.kubernetes.api.model.Service>> services = new ArrayList<>();
  private final List<SharedIndexInformer<io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice>> slices =
      new ArrayList<>();

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
    this.ignoredSourcePorts = ports;
    return this;
  }

  public NodeAgent(KubernetesClient client, String nodeName, Nftables nft, Conntrack conntrack, FlowSink sink,
      Mode defaultMode) {
    this.client = client;
    this.nodeName = nodeName;
    this.applier = new RulesetApplier(nft);
    this.conntrack = conntrack;
    this.sink = sink;
    this.defaultMode = defaultMode;
    this.podFacts = new PodFacts(nodeName);
  }

  public void start(Duration syncTimeout) {
    ResourceEventHandler<HasMetadata> any = new ResourceEventHandler<>() {
      @Override
      public void onAdd(HasMetadata o) {
        schedule();
      }

      @Override
      public void onUpdate(HasMetadata a, HasMetadata b) {
        schedule();
      }

      @Override
      public void onDelete(HasMetadata o, boolean unknown) {
        schedule();
      }
    };
    // an owner's change may move pods to another workload: the cached resolutions are redone
    ResourceEventHandler<HasMetadata> owner = new ResourceEventHandler<>() {
      @Override
      public void onAdd(HasMetadata o) {
        ownersChanged.incrementAndGet();
        schedule();
      }

      @Override
      public void onUpdate(HasMetadata a, HasMetadata b) {
        // a status update (replica counts) moves no pod: only an owner change does
        if (!java.util.Objects.equals(a.getMetadata().getOwnerReferences(), b.getMetadata().getOwnerReferences())) {
          ownersChanged.incrementAndGet();
        }
        schedule();
      }

      @Override
      public void onDelete(HasMetadata o, boolean unknown) {
        ownersChanged.incrementAndGet();
        schedule();
      }
    };
    pods = watch(Pod.class, null, any);
    replicaSets = watch(ReplicaSet.class, null, owner);
    jobs = watch(Job.class, null, owner);
    identities = watch(WorkloadIdentity.class, null, any);
    allowLists = watch(AllowList.class, null, any);
    networkPolicies = watch(NetworkPolicy.class, null, any);
    modes = watch(dev.palisade.model.crd.SegmentationMode.class, null, any);
    namespaces = watch(Namespace.class, null, any);
    if (failsafe.enabled()) {
      nodes = watch(io.fabric8.kubernetes.api.model.Node.class, null, any);
      for (String ns : new java.util.TreeSet<>(failsafe.namespaces())) {
        services.add(watch(io.fabric8.kubernetes.api.model.Service.class, ns, any));
        slices.add(watch(io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice.class, ns, any));
      }
    }
    informers.forEach(SharedIndexInformer::start);
    long deadline = System.nanoTime() + syncTimeout.toNanos();
    while (!informers.stream().allMatch(SharedIndexInformer::hasSynced)) {
      String refused = refusals.peek();
      if (refused != null) {
        // a missing permission does not heal by waiting: say so now instead of timing out
        throw new IllegalStateException("agent " + nodeName + ": the API server refuses what the agent must read: "
            + refused + " (its ClusterRole is deploy/base/rbac-agent.yaml, generated from AgentAccess)");
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("agent " + nodeName + ": informers did not sync within " + syncTimeout);
      }
      sleep(20);
    }
    if (conntrack != null) {
      subscription = conntrack.subscribe(this::onConnection, () -> LOG.warn("{}: conntrack events lost", nodeName));
    }
    loop.scheduleWithFixedDelay(this::report, 1, 1, TimeUnit.SECONDS);
    schedule();
  }

  /**
   * An informer of a kind {@link AgentAccess} lets the agent list and watch (all namespaces when
   * {@code namespace} is null); an undeclared kind fails here, before anything starts.
   */
  @SuppressWarnings("unchecked")
  private <T extends HasMetadata> SharedIndexInformer<T> watch(Class<T> kind, String namespace,
      ResourceEventHandler<HasMetadata> handler) {
    AgentAccess.DECLARED.requireWatch(kind, namespace);
    SharedIndexInformer<T> informer = namespace == null
        ? client.resources(kind).inAnyNamespace().runnableInformer(0)
        : client.resources(kind).inNamespace(namespace).runnableInformer(0);
    informer.addEventHandler((ResourceEventHandler<T>) (ResourceEventHandler<?>) handler);
    informer.exceptionHandler((started, thrown) -> {
      Throwable t = thrown;
      while (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) {
        t = t.getCause(); // the reflector hands over its future's wrapper
      }
      if (t instanceof io.fabric8.kubernetes.client.KubernetesClientException e
          && (e.getCode() == 401 || e.getCode() == 403)) {
        refusals.offer(kind.getSimpleName() + (namespace == null ? "" : " in " + namespace) + ": " + e.getCode() + " "
            + Optional.ofNullable(e.getStatus()).map(st -> st.getMessage()).orElse(e.getMessage()));
      }
      return true; // keep retrying, as client-go does; start() fails fast on a refusal above
    });
    informers.add(informer);
    return informer;
  }

  private void schedule() {
    generation.incrementAndGet();
    if (pending.compareAndSet(false, true)) {
      loop.execute(this::sync);
    }
  }

  /** One sync: what the informers hold now -> the kernel. */
  private void sync() {
    pending.set(false);
    long gen = generation.get();
    long started = System.nanoTime();
    long startedCpu = CPU.getCurrentThreadCpuTime();
    try {
      Optional<HasMetadata> none = Optional.empty();
      WorkloadResolver resolver = new WorkloadResolver((ns, kind, name) -> {
        String key = ns + "/" + name;
        if (kind.equals("ReplicaSet")) {
          return Optional.ofNullable(replicaSets.getIndexer().getByKey(key));
        }
        if (kind.equals("Job")) {
          return Optional.ofNullable(jobs.getIndexer().getByKey(key));
        }
        return none;
      });
      Map<String, Long> idOfWorkload = new HashMap<>();
      for (WorkloadIdentity wi : identities.getStore().list()) {
        if (wi.getSpec() != null) {
          idOfWorkload.put(wi.getMetadata().getNamespace() + "/" + wi.getSpec().kind + "/" + wi.getSpec().name,
              wi.getSpec().id);
        }
      }
      Map<String, Long> local = new HashMap<>();
      // pods whose workload has no identity yet follow their namespace's (or workload's) mode
      Map<String, Mode> pending = new HashMap<>();
      // the namespace's palisade.dev/mode annotation counts too (root owners' are the controller's)
      Map<String, String> namespaceModes = new HashMap<>();
      for (Namespace n : namespaces.getStore().list()) {
        String a = dev.palisade.model.workload.ModeResolver.annotationOf(n);
        if (a != null) {
          namespaceModes.put(n.getMetadata().getName(), a);
        }
      }
      dev.palisade.model.workload.ModeResolver modeResolver = new dev.palisade.model.workload.ModeResolver(
          modes.getStore().list(), namespaceModes, Map.of(), defaultMode, problem -> { });
      List<Pod> allPods = pods.getStore().list();
      podFacts.begin(ownersChanged.get());
      Map<Long, Set<String>> ipsById = new HashMap<>();
      Set<String> seen = new HashSet<>();
      long now = System.currentTimeMillis();
      for (Pod p : allPods) {
        PodFacts.Facts f = podFacts.of(p, resolver);
        String ip = f.statusIp;
        if (!announced.isEmpty()) {
          if (ip == null) {
            ip = announced.get(f.key);
          } else {
            announced.remove(f.key);
          }
        }
        if (ip == null || f.terminal) {
          continue;
        }
        long id = idOfWorkload.getOrDefault(f.workloadKey(), Identities.UNKNOWN);
        ipsById.computeIfAbsent(id, k -> new HashSet<>()).add(ip);
        if (!ip.equals(f.historyIp) || id != f.historyId) {
          history.assign(ip, f.key, id, now);
          f.historyIp = ip;
          f.historyId = id;
        }
        seen.add(ip);
        if (f.local) {
          local.put(ip, id);
          if (id == Identities.UNKNOWN) {
            pending.put(ip, modeResolver.modeOf(f.workload()));
          }
        }
      }
      Map<Long, IdentityPolicy> policies = new HashMap<>();
      List<dev.palisade.model.crd.AllowListSpec> held = new ArrayList<>();
      for (AllowList al : allowLists.getStore().list()) {
        if (al.getSpec() != null) {
          held.add(al.getSpec());
        }
        try {
          IdentityPolicy p = AllowListCodec.fromSpec(al.getSpec());
          policies.put(p.identity(), p);
        } catch (IllegalArgumentException e) {
          LOG.error("{}: AllowList {}/{} is invalid, ignored: {}", nodeName, al.getMetadata().getNamespace(),
              al.getMetadata().getName(), e.getMessage());
        }
      }
      List<NetworkPolicy> npList = networkPolicies.getStore().list();
      List<Namespace> nsList = namespaces.getStore().list();
      NetworkPolicyCompiler.Result np = NetworkPolicyCompiler.compile(npList, nsList, withAnnounced(allPods),
          local.keySet(), podViews);
      // Skipped whole: what they would change is not applied, everything else is. Told once.
      for (String problem : np.problems()) {
        if (!lastPolicyProblems.contains(problem)) {
          LOG.error("{}: NetworkPolicy ignored: {}", nodeName, problem);
        }
      }
      lastPolicyProblems = np.problems();
      NodeRules rules = new NodeRules(NodeRulesBuilder.build(local, ipsById, policies, defaultMode, np.pods(), pending)
          .groups(),
          failsafe.enabled() ? FailsafeBuilder.build(failsafe, nodeName, nodes.getStore().list(),
              services.stream().flatMap(i -> i.getStore().list().stream()).toList(),
              slices.stream().flatMap(i -> i.getStore().list().stream()).toList()) : NodeRules.Failsafe.NONE);
      DesiredRuleset desired = RulesetRenderer.render(rules, elementMemo);
      applier.apply(desired);
      if (lastRules != null && !lastRules.groups().equals(rules.groups())) {
        tighten(rules);
      }
      lastRules = rules;
      appliedRevision = RevisionClaim.of(held);
      appliedPodIps = seen;
      localIdentity = Map.copyOf(local);
      appliedGeneration = gen;
      appliedFrom = Map.of("NetworkPolicy", npList, "Namespace", nsList, "Pod", allPods);
      synchronized (syncTimes) {
        if (syncTimes.size() == 10_000) {
          syncTimes.removeFirst();
        }
        syncTimes.addLast(System.nanoTime() - started);
        if (syncCpuTimes.size() == 10_000) {
          syncCpuTimes.removeFirst();
        }
        syncCpuTimes.addLast(CPU.getCurrentThreadCpuTime() - startedCpu);
      }
    } catch (RuntimeException e) {
      LOG.error("{}: sync failed, retrying in 1 s: {}", nodeName, e.toString());
      loop.schedule(this::schedule, 1, TimeUnit.SECONDS);
    }
  }

  /**
   * Pods as NetworkPolicy must see them: a local pod announced at CNI ADD time already counts with
   * its address, before the API server has it in the pod's status.
   */
  private List<Pod> withAnnounced(List<Pod> all) {
    if (announced.isEmpty()) {
      return all;
    }
    List<Pod> out = new ArrayList<>(all.size());
    for (Pod p : all) {
      String ip = announced.get(p.getMetadata().getNamespace() + "/" + p.getMetadata().getName());
      boolean noIp = p.getStatus() == null || p.getStatus().getPodIP() == null || p.getStatus().getPodIP().isBlank();
      if (ip != null && noIp) {
        p = new io.fabric8.kubernetes.api.model.PodBuilder(p).editOrNewStatus().withPodIP(ip).endStatus().build();
      }
      out.add(p);
    }
    return out;
  }

  /**
   * Cuts live connections the new rules would refuse as new ones: a workload moved to enforce, or
   * an edge was revoked. nftables judges only new connections, so without this an approved-then-
   * revoked flow would live on.
   */
  private void tighten(NodeRules rules) {
    if (conntrack == null) {
      return;
    }
    PolicyEvaluator evaluator = new PolicyEvaluator(rules);
    for (ConntrackEvent e : conntrack.dump()) {
      AllowRect.Proto proto;
      try {
        proto = AllowRect.Proto.valueOf(Protocol.ofNumber(e.protocol()).name());
      } catch (IllegalArgumentException ex) {
        continue;
      }
      // judged on the real endpoint (reply source); deleted by its original tuple
      if (!evaluator.involvesRestricted(e.src(), e.server())
          || evaluator.allows(e.src(), e.server(), proto, e.serverPort())) {
        continue;
      }
      int n = conntrack.delete(ConntrackFilter.any().withSrc(e.src()).withDst(e.dst()).withProtocol(e.protocol())
          .withDstPort(e.dstPort()));
      if (n > 0) {
        cut.addAndGet(n);
        LOG.info("{}: cut {} live connection(s) {} -> {}:{}/{} that the policy no longer allows", nodeName, n, e.src(),
            e.dst(), e.dstPort(), proto);
      }
    }
  }

  /**
   * A packet the ruleset logged to NFLOG: prefix {@code pal:KIND:DIR:GROUP} (drop group 100,
   * would-drop group 101). Resolved to identities and queued for the controller's feed.
   */
  public void onLog(dev.palisade.kernel.nflog.NflogEvent ev) {
    String[] p = ev.prefix().split(":");
    if (p.length != 4 || !p[0].equals("pal")) {
      return;
    }
    Protocol protocol;
    try {
      protocol = Protocol.ofNumber(ev.protocol());
    } catch (IllegalArgumentException e) {
      return;
    }
    long now = ev.timestampMillis();
    var src = history.at(ev.src(), now);
    var dst = history.at(ev.dst(), now);
    DropEvent d = new DropEvent(p[1], p[2], src.map(IpHistory.Tenancy::identity).orElse(Identities.WORLD),
        dst.map(IpHistory.Tenancy::identity).orElse(Identities.WORLD), protocol, ev.dstPort(), now,
        src.map(IpHistory.Tenancy::pod).orElse(null), dst.map(IpHistory.Tenancy::pod).orElse(null));
    synchronized (drops) {
      if (drops.size() < DropReportJson.MAX_EVENTS) {
        drops.add(d);
      } else {
        dropsOverflow.incrementAndGet();
      }
    }
    (d.wouldDrop() ? wouldDropped : dropped).incrementAndGet();
  }

  public long dropsLogged() {
    return dropped.get();
  }

  public long wouldDropsLogged() {
    return wouldDropped.get();
  }

  /** Live connections cut because a policy change denied them. */
  public long connectionsCut() {
    return cut.get();
  }

  private void onConnection(ConntrackEvent e) {
    if (e.type() != ConntrackEvent.Type.NEW) {
      return;
    }
    Protocol protocol;
    try {
      protocol = Protocol.ofNumber(e.protocol());
    } catch (IllegalArgumentException ex) {
      return; // ICMP and others: not part of the service graph
    }
    // A DNAT'd connection (a service VIP) is about the endpoint that answered: the reply tuple's source.
    String dstIp = e.server();
    int dstPort = e.serverPort();
    if (dstPort < 1 || (ignoredSourcePorts != null && ignoredSourcePorts.contains(e.srcPort()))) {
      return;
    }
    long at = e.timestamp().toEpochMilli();
    var src = history.at(e.src(), at);
    boolean srcLocal = src.isPresent() && localIdentity.containsKey(e.src());
    var dst = history.at(dstIp, at);
    boolean dstLocal = dst.isPresent() && localIdentity.containsKey(dstIp);
    if (!srcLocal && !(src.isEmpty() && dstLocal)) {
      return; // the source pod's node reports it
    }
    events.incrementAndGet();
    long srcId = src.map(IpHistory.Tenancy::identity).orElse(Identities.WORLD);
    long dstId = dst.map(IpHistory.Tenancy::identity).orElse(Identities.WORLD);
    flows.add(srcId, src.map(IpHistory.Tenancy::pod).orElse(null), dstId, dst.map(IpHistory.Tenancy::pod).orElse(null),
        protocol, dstPort, at);
  }

  /** Sends what was gathered; a refused or failed send is kept and retried with the next one. */
  private synchronized void report() {
    List<DropEvent> dropBatch;
    synchronized (drops) {
      dropBatch = new ArrayList<>(drops);
      drops.clear();
    }
    if (!dropBatch.isEmpty()) {
      try {
        sink.sendDrops(nodeName, dropBatch);
      } catch (RuntimeException e) {
        LOG.warn("{}: {} drop events not delivered: {}", nodeName, dropBatch.size(), e.getMessage());
      }
    }
    unsent.addAll(flows.drain());
    if (unsent.isEmpty()) {
      return;
    }
    List<FlowRecord> batch = new ArrayList<>(unsent.subList(0, Math.min(unsent.size(), FlowReport.MAX_FLOWS)));
    try {
      sink.send(new FlowReport(nodeName, sequence.incrementAndGet(), batch));
      unsent.subList(0, batch.size()).clear();
    } catch (RuntimeException e) {
      LOG.warn("{}: flow report not delivered, kept for the next one: {}", nodeName, e.getMessage());
    }
  }

  /**
   * A local pod is about to get its network (the CNI ADD moment): returns once this node's rules
   * cover its IP, so its first packet meets its workload's policy, never an open door. A pod the
   * informer has not delivered yet is waited for.
   */
  public void podStarting(String namespace, String name, String ip, Duration timeout) {
    long t0 = System.nanoTime();
    announced.put(namespace + "/" + name, ip);
    long deadline = t0 + timeout.toNanos();
    schedule();
    while (!(localIdentity.containsKey(ip) && !pending.get() && appliedGeneration == generation.get())) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(nodeName + ": rules for pod " + namespace + "/" + name + " (" + ip
            + ") not in place within " + timeout);
      }
      sleep(1);
    }
    synchronized (coverTimes) {
      if (coverTimes.size() == 10_000) {
        coverTimes.removeFirst();
      }
      coverTimes.addLast(System.nanoTime() - t0);
    }
  }

  /** How long the most recent successful syncs (up to 10,000) took, informers to kernel, in nanoseconds. */
  public List<Long> syncTimes() {
    synchronized (syncTimes) {
      return List.copyOf(syncTimes);
    }
  }

  /** The CPU time of the syncs {@link #syncTimes} lists, in the same order, in nanoseconds. */
  public List<Long> syncCpuTimes() {
    synchronized (syncTimes) {
      return List.copyOf(syncCpuTimes);
    }
  }

  /** How long the most recent pod starts (up to 10,000) waited for their rules, in nanoseconds. */
  public List<Long> podCoverTimes() {
    synchronized (coverTimes) {
      return List.copyOf(coverTimes);
    }
  }

  /** Sends every connection seen so far now (approve-learned waits for this). */
  public void flushFlows() {
    report();
  }

  /** Connections attributed and queued so far. */
  public long connectionsSeen() {
    return events.get();
  }

  /** True when the kernel holds everything the informers hold, at least this revision, and these pod IPs. */
  public boolean converged(long revision, Set<String> podIps) {
    return !pending.get() && appliedGeneration == generation.get() && appliedRevision >= revision
        && appliedPodIps.containsAll(podIps);
  }

  /**
   * True when the ruleset in the kernel was computed from exactly these objects of the kind
   * (NetworkPolicy, Namespace or Pod; namespace/name -> resourceVersion): a lab or a test uses it
   * to know that a change it wrote is enforced, without sleeping.
   */
  public boolean enforces(String kind, Map<String, String> versions) {
    Map<String, List<? extends HasMetadata>> from = appliedFrom;
    List<? extends HasMetadata> held = from.get(kind);
    if (held == null && !from.isEmpty()) {
      throw new IllegalArgumentException("kind " + kind + " is not one the agent can report on");
    }
    // computed when asked, not on every sync: at 10k pods the map cost a sync more than its rules
    return held != null && versions.equals(versions(held));
  }

  /** namespace/name (or name) -> resourceVersion. */
  private static Map<String, String> versions(List<? extends HasMetadata> objects) {
    Map<String, String> out = new HashMap<>();
    for (HasMetadata o : objects) {
      String ns = o.getMetadata().getNamespace();
      out.put((ns == null ? "" : ns + "/") + o.getMetadata().getName(), o.getMetadata().getResourceVersion());
    }
    return Map.copyOf(out);
  }

  public String nodeName() {
    return nodeName;
  }

  public long applyFailures() {
    return applier.failures();
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
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
    informers.forEach(SharedIndexInformer::stop);
    loop.shutdownNow();
  }
}
