package dev.palisade.dataplane.agent;

import dev.palisade.model.Mode;
import dev.palisade.model.crd.AllowList;
import dev.palisade.model.crd.ClusterDefaults;
import dev.palisade.model.crd.SegmentationMode;
import dev.palisade.model.crd.WorkloadIdentity;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import dev.palisade.dataplane.netpol.ClusterPolicyInformers;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's view of the cluster: one informer per kind {@link AgentAccess} declares (an
 * undeclared kind fails before anything starts). Handlers only record that something changed and
 * ask for a sync; {@link #snapshot} hands the sync what the stores hold. {@link #awaitSynced}
 * returns once every informer has listed, and fails fast when the API server refuses a read (a
 * missing permission does not heal by waiting).
 */
final class AgentInformers implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AgentInformers.class);

  private final KubernetesClient client;
  private final String nodeName;
  private final List<SharedIndexInformer<?>> all = new ArrayList<>();
  /** 401/403 answers to the informers' lists and watches, newest last. */
  private final ConcurrentLinkedQueue<String> refusals = new ConcurrentLinkedQueue<>();
  /** Bumped by every owner (ReplicaSet, Job) change that can move pods: their workloads are resolved again. */
  private final OwnerVersions ownerVersions = new OwnerVersions();
  /** The pod store's index by the owner a pod's workload is read from ({@link OwnerVersions#ownerKeyOf}). */
  private static final String BY_OWNER = "owner";
  private final Consumer<String> changed;
  private SharedIndexInformer<Pod> pods;
  private SharedIndexInformer<ReplicaSet> replicaSets;
  private SharedIndexInformer<Job> jobs;
  private SharedIndexInformer<WorkloadIdentity> identities;
  private SharedIndexInformer<AllowList> allowLists;
  private SharedIndexInformer<NetworkPolicy> networkPolicies;
  /** ClusterNetworkPolicy and the v1alpha1 kinds it replaced, each where the API server serves it. */
  private final List<SharedIndexInformer<GenericKubernetesResource>> clusterPolicies = new ArrayList<>();
  private SharedIndexInformer<SegmentationMode> modes;
  private SharedIndexInformer<Namespace> namespaces;
  private SharedIndexInformer<ConfigMap> defaults;
  private SharedIndexInformer<Node> nodes;
  private final List<SharedIndexInformer<Service>> services = new ArrayList<>();
  private final List<SharedIndexInformer<EndpointSlice>> slices = new ArrayList<>();
  /** Pods changed since the last sync: the sync moves only those (past 5,000 it reads every pod). */
  private final PodChangeLog podChanges = new PodChangeLog(5_000);
  /** Pods a pod start read before the informer delivered them (30 s: far past any healthy watch's lag). */
  private final EarlyPods early;
  /** namespace, name -> the pod as the API server has it now, or null (a GET; a test's stand-in). */
  private final BiFunction<String, String, Pod> podReader;
  private volatile Mode lastDefault;
  private volatile boolean lastAnnotations;
  private volatile String lastProblem;

  /** @param changed told the kind of every add, update or delete (on the informers' threads) */
  AgentInformers(KubernetesClient client, String nodeName, Consumer<String> changed) {
    this(client, nodeName, changed, (ns, name) -> client.pods().inNamespace(ns).withName(name).get(),
        System::nanoTime);
  }

  AgentInformers(KubernetesClient client, String nodeName, Consumer<String> changed,
      BiFunction<String, String, Pod> podReader, LongSupplier clock) {
    this.client = client;
    this.nodeName = nodeName;
    this.changed = changed;
    this.podReader = podReader;
    this.early = new EarlyPods(Duration.ofSeconds(30), clock);
  }

  void start(FailsafeBuilder.Config failsafe) {
    // a pod's key is in the change log before its sync is asked for, in the same handler: asked
    // first, a sync could start, drain the log without it and count the request as served
    pods = watch(Pod.class, null, false, p -> {
      String key = PodFacts.keyOf(p);
      // the informer has caught up with a pod read early once it shows the pod bound, or gone: an
      // event from before the binding (its create) must not take back what the start's read knew
      if ((p.getSpec() != null && p.getSpec().getNodeName() != null) || pods.getIndexer().getByKey(key) == null) {
        early.delivered(key);
      }
      podChanges.changed(key);
    });
    pods.addIndexers(java.util.Map.of(BY_OWNER, p -> {
      String owner = OwnerVersions.ownerKeyOf(p);
      return owner == null ? List.of() : List.of(owner);
    }));
    replicaSets = watch(ReplicaSet.class, null, true);
    jobs = watch(Job.class, null, true);
    identities = watch(WorkloadIdentity.class, null, false);
    allowLists = watch(AllowList.class, null, false);
    networkPolicies = watch(NetworkPolicy.class, null, false);
    ClusterPolicyInformers.served(client, AgentAccess.DECLARED, "agent " + nodeName)
        .forEach((kind, informer) -> clusterPolicies.add(handle(informer, kind.kind(), null, false, o -> { })));
    modes = watch(SegmentationMode.class, null, false);
    namespaces = watch(Namespace.class, null, false);
    defaults = watch(ConfigMap.class, ClusterDefaults.NAMESPACE, false);
    if (failsafe.enabled()) {
      nodes = watch(Node.class, null, false);
      for (String ns : new TreeSet<>(failsafe.namespaces())) {
        services.add(watch(Service.class, ns, false));
        slices.add(watch(EndpointSlice.class, ns, false));
      }
    }
    all.forEach(SharedIndexInformer::start);
  }

  /** Waits until every informer has listed once. */
  void awaitSynced(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!synced()) {
      String refused = refusals.peek();
      if (refused != null) {
        throw new IllegalStateException("agent " + nodeName + ": the API server refuses what the agent must read: "
            + refused + " (its ClusterRole is deploy/base/rbac-agent.yaml, generated from AgentAccess)");
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("agent " + nodeName + ": informers did not sync within " + timeout);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  boolean synced() {
    return !all.isEmpty() && all.stream().allMatch(SharedIndexInformer::hasSynced);
  }

  OwnerVersions ownerVersions() {
    return ownerVersions;
  }

  /**
   * An owner arrived, left or changed its owner references: its version moves first, then its
   * pods are marked changed, so the sync that reads them resolves their workload again. A pod the
   * index does not hold yet is marked by its own event, and resolved after the owner is stored.
   */
  private void ownerChanged(String kind, HasMetadata o) {
    String key = OwnerVersions.key(o.getMetadata().getNamespace(), kind, o.getMetadata().getName());
    ownerVersions.bump(key);
    if (pods != null) {
      for (Pod p : pods.getIndexer().byIndex(BY_OWNER, key)) {
        podChanges.changed(PodFacts.keyOf(p));
      }
    }
  }

  /**
   * The pods changed since the last call, as the store holds them now. Call it before {@link
   * #snapshot}: a change after it is then in the next delta, never lost in between.
   */
  PodDelta podDelta() {
    early.expire().forEach(podChanges::changed);
    return pods.hasSynced() ? podChanges.drain(this::podNow) : PodDelta.WHOLE;
  }

  /** A pod read early for a pod start (until the informer's next event for it), else the store's, else null. */
  private Pod podNow(String key) {
    Pod p = early.get(key);
    return p != null ? p : pods.getIndexer().getByKey(key);
  }

  /**
   * A pod of this node is starting (CNI ADD) and the pod informer may not have delivered it yet,
   * or only as not yet bound to a node: then it is read from the API server now, so the start's
   * own sync can cover it instead of waiting for the watch event. Returns true if it was read. A
   * pod the API server does not have, or has on another node, is left out: the start then waits
   * for the informer, as before, and fails closed at its deadline.
   */
  boolean readIfUndelivered(String namespace, String name) {
    String key = namespace + "/" + name;
    if (!undelivered(namespace, name)) {
      return false;
    }
    Pod p;
    try {
      p = podReader.apply(namespace, name);
    } catch (KubernetesClientException e) {
      LOG.warn("{}: pod {} starts before the informer has it, and reading it failed: {}", nodeName, key,
          e.getMessage());
      return false;
    }
    if (p == null || p.getSpec() == null || !nodeName.equals(p.getSpec().getNodeName())) {
      return false;
    }
    // an informer event that lands before this check wins; one after it removes the early copy
    if (!early.put(key, p, () -> storeHasItHere(key))) {
      return false;
    }
    podChanges.changed(key);
    return true;
  }

  /** True if neither the informer's store (bound to this node) nor an early read holds this pod. */
  boolean undelivered(String namespace, String name) {
    String key = namespace + "/" + name;
    return pods != null && !storeHasItHere(key) && !early.holds(key);
  }

  /** The informer's store holds this pod as bound to this node. */
  private boolean storeHasItHere(String key) {
    Pod stored = pods.getIndexer().getByKey(key);
    return stored != null && stored.getSpec() != null && nodeName.equals(stored.getSpec().getNodeName());
  }

  /** The next {@link #podDelta} is "every pod" (a sync that drained one did not complete). */
  void readAllPodsNext() {
    podChanges.everything();
  }

  /** What the stores hold now. */
  ClusterSnapshot snapshot() {
    // the controller's ConfigMap, read once for both settings it carries
    ConfigMap defaultsNow = defaults.getIndexer()
        .getByKey(ClusterDefaults.NAMESPACE + "/" + ClusterDefaults.CONFIG_MAP);
    List<Pod> podsNow = early.addTo(pods.getStore().list(), key -> pods.getIndexer().getByKey(key));
    return new ClusterSnapshot(podsNow, (ns, kind, name) -> {
      String key = ns + "/" + name;
      return switch (kind) {
        case "ReplicaSet" -> Optional.ofNullable(replicaSets.getIndexer().getByKey(key));
        case "Job" -> Optional.ofNullable(jobs.getIndexer().getByKey(key));
        default -> Optional.empty();
      };
    }, identities.getStore().list(), allowLists.getStore().list(), networkPolicies.getStore().list(),
        modes.getStore().list(), namespaces.getStore().list(), nodes == null ? List.of() : nodes.getStore().list(),
        services.stream().flatMap(i -> i.getStore().list().stream()).toList(),
        slices.stream().flatMap(i -> i.getStore().list().stream()).toList(), clusterDefault(defaultsNow),
        clusterPolicies.stream().flatMap(i -> i.getStore().list().stream()).toList(),
        workloadModeAnnotations(defaultsNow));
  }

  /**
   * Whether the controller honours workload mode annotations (its ConfigMap says so); while the
   * ConfigMap is gone, what it last said.
   */
  private boolean workloadModeAnnotations(ConfigMap cm) {
    if (cm != null) {
      lastAnnotations = ClusterDefaults.workloadAnnotationsHonoured(cm.getData());
    }
    return lastAnnotations;
  }

  /**
   * The default mode the controller published; once known it is kept while the ConfigMap is gone
   * or unreadable (the controller restores it), and until then it is null: nothing is written.
   */
  private Mode clusterDefault(ConfigMap cm) {
    if (cm == null) {
      return lastDefault;
    }
    // a value that does not parse fails closed (enforce), as in the controller; told once per value
    Mode m = ClusterDefaults.modeOf(cm.getData(), problem -> {
      if (!problem.equals(lastProblem)) {
        lastProblem = problem;
        LOG.error("{}: {}", nodeName, problem);
      }
    });
    lastDefault = m;
    return m;
  }

  @SuppressWarnings("unchecked")
  private <T extends HasMetadata> SharedIndexInformer<T> watch(Class<T> kind, String namespace, boolean owner) {
    return watch(kind, namespace, owner, o -> { });
  }

  /** @param noted told of every object an event is about, before the sync is asked for */
  private <T extends HasMetadata> SharedIndexInformer<T> watch(Class<T> kind, String namespace, boolean owner,
      Consumer<T> noted) {
    AgentAccess.DECLARED.requireWatch(kind, namespace);
    SharedIndexInformer<T> informer = namespace == null
        ? client.resources(kind).inAnyNamespace().runnableInformer(0)
        : client.resources(kind).inNamespace(namespace).runnableInformer(0);
    return handle(informer, kind.getSimpleName(), namespace, owner, noted);
  }

  private <T extends HasMetadata> SharedIndexInformer<T> handle(SharedIndexInformer<T> informer, String name,
      String namespace, boolean owner, Consumer<T> noted) {
    informer.addEventHandler(new ResourceEventHandler<T>() {
      @Override
      public void onAdd(T o) {
        if (owner) {
          ownerChanged(name, o);
        }
        noted.accept(o);
        changed.accept(name);
      }

      @Override
      public void onUpdate(T a, T b) {
        // a status update (replica counts) moves no pod: only an owner change does
        if (owner && !Objects.equals(a.getMetadata().getOwnerReferences(), b.getMetadata().getOwnerReferences())) {
          ownerChanged(name, b);
        }
        noted.accept(a);
        noted.accept(b);
        changed.accept(name);
      }

      @Override
      public void onDelete(T o, boolean unknown) {
        if (owner) {
          ownerChanged(name, o);
        }
        noted.accept(o);
        changed.accept(name);
      }
    });
    informer.exceptionHandler((started, thrown) -> {
      Throwable t = thrown;
      while (t instanceof CompletionException && t.getCause() != null) {
        t = t.getCause(); // the reflector hands over its future's wrapper
      }
      if (t instanceof KubernetesClientException e && (e.getCode() == 401 || e.getCode() == 403)) {
        refusals.offer(name + (namespace == null ? "" : " in " + namespace) + ": " + e.getCode() + " "
            + Optional.ofNullable(e.getStatus()).map(st -> st.getMessage()).orElse(e.getMessage()));
      }
      return true; // keep retrying, as client-go does; awaitSynced fails fast on a refusal above
    });
    all.add(informer);
    return informer;
  }

  @Override
  public void close() {
    all.forEach(SharedIndexInformer::stop);
  }
}
