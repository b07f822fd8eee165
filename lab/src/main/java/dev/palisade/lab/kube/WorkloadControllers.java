package dev.palisade.lab.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.NodeStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Informable;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * What kube-controller-manager, the scheduler and the kubelets do for the lab: Deployments,
 * ReplicaSets, StatefulSets, DaemonSets and Jobs become pods, CronJobs become Jobs on schedule; pods are bound to nodes, started
 * through the {@link PodRuntime} and reported Running; Services get cluster IPs and EndpointSlices;
 * dependents of deleted owners are deleted.
 *
 * <p>Informers only say <em>what</em> to look at: they put keys on one queue, and a single thread
 * reconciles one key at a time reading the API server directly. With one writer and no caches there
 * are no races between controllers and no stale reads to guard against (no "expectations"), at the
 * price of a few more requests, which a lab can afford.
 */
public final class WorkloadControllers implements AutoCloseable {
  enum Kind { NODES, DEPLOYMENT, REPLICASET, STATEFULSET, DAEMONSET, CRONJOB, JOB, POD, SERVICE, GC, NAMESPACE_GONE }

  record Key(Kind kind, String namespace, String name) {
    @Override
    public String toString() {
      return kind + " " + namespace + "/" + name;
    }
  }

  private static final long RESYNC_MILLIS = 60_000;
  private static final Map<String, Kind> CONTROLLER_KINDS = Map.of("ReplicaSet", Kind.REPLICASET, "StatefulSet",
      Kind.STATEFULSET, "DaemonSet", Kind.DAEMONSET, "Job", Kind.JOB, "Deployment", Kind.DEPLOYMENT, "CronJob", Kind.CRONJOB);

  private final KubernetesClient client;
  private final ControllerContext ctx;
  private final DeploymentController deployments;
  private final ReplicaSetController replicaSets;
  private final StatefulSetController statefulSets;
  private final DaemonSetController daemonSets;
  private final JobController jobs;
  private final CronJobController cronJobs;
  private final PodLifecycleController pods;
  private final EndpointSliceController endpointSlices;
  private final GarbageCollector gc;
  private final WorkQueue<Key> queue;
  private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
  private volatile SharedIndexInformer<Service> serviceInformer;
  /** Namespaces whose workloads run on nodes outside the lab: see {@link #leaveAlone}. */
  private final Set<String> external = java.util.concurrent.ConcurrentHashMap.newKeySet();

  public WorkloadControllers(KubernetesClient client, PodRuntime runtime, int nodes) {
    this(client, runtime, nodes, Clock.systemUTC());
  }

  /** @param clock what CronJobs read the time from (tests pass a fake one) */
  WorkloadControllers(KubernetesClient client, PodRuntime runtime, int nodes, Clock clock) {
    if (nodes < 1) {
      throw new IllegalArgumentException("a lab needs at least one node, not " + nodes);
    }
    this.client = client;
    this.ctx = new ControllerContext(client, nodes);
    this.deployments = new DeploymentController(ctx);
    this.replicaSets = new ReplicaSetController(ctx);
    this.statefulSets = new StatefulSetController(ctx);
    this.daemonSets = new DaemonSetController(ctx);
    this.jobs = new JobController(ctx);
    this.queue = new WorkQueue<>("lab-controllers", this::reconcile);
    this.cronJobs = new CronJobController(ctx, clock, (ns, name, delay) -> queue.addAfter(new Key(Kind.CRONJOB, ns,
        name), delay));
    this.pods = new PodLifecycleController(ctx, runtime, (ns, name) -> queue.add(new Key(Kind.POD, ns, name)));
    this.endpointSlices = new EndpointSliceController(ctx);
    this.gc = new GarbageCollector(ctx);
  }

  /**
   * The lab's controllers will not touch this namespace: nothing in it is scheduled, run, given
   * endpoints or garbage-collected, and its pods do not count for {@link #awaitIdle}. It stands for
   * workloads on nodes outside the lab, whose objects the caller writes as those nodes' kubelets
   * and controllers would (a benchmark's thousands of API-only pods). Call before creating them.
   */
  public void leaveAlone(String namespace) {
    external.add(namespace);
  }

  private List<Key> inLab(List<Key> keys) {
    if (external.isEmpty()) {
      return keys;
    }
    return keys.stream().filter(k -> !external.contains(k.namespace())).toList();
  }

  /** Registers the nodes, then starts watching; returns once every informer has listed. */
  public void start() {
    ensureNodes();
    queue.start();
    serviceInformer = inform(client.services().inAnyNamespace(), s -> List.of(key(Kind.SERVICE, s)), true);
    inform(client.apps().deployments().inAnyNamespace(), d -> List.of(key(Kind.DEPLOYMENT, d)), true);
    inform(client.apps().replicaSets().inAnyNamespace(), this::replicaSetKeys, true);
    inform(client.apps().statefulSets().inAnyNamespace(), s -> List.of(key(Kind.STATEFULSET, s)), true);
    inform(client.apps().daemonSets().inAnyNamespace(), d -> List.of(key(Kind.DAEMONSET, d)), true);
    inform(client.batch().v1().cronjobs().inAnyNamespace(), c -> List.of(key(Kind.CRONJOB, c)), true);
    inform(client.batch().v1().jobs().inAnyNamespace(), this::jobKeys, true);
    inform(client.pods().inAnyNamespace(), this::podKeys, false);
    inform(client.discovery().v1().endpointSlices().inAnyNamespace(), this::sliceKeys, false);
    informers.add(client.namespaces().inform(new Handler<>(ns -> List.of(), ns -> List.of(
        new Key(Kind.NAMESPACE_GONE, ns.getMetadata().getName(), ""))), RESYNC_MILLIS));
    informers.add(client.nodes().inform(new Handler<>(n -> List.of(), n -> List.of(new Key(Kind.NODES, "", ""))),
        RESYNC_MILLIS));
  }

  /**
   * Returns once the controllers are at rest: every object has been reconciled against what the API
   * server holds now, a full pass changed nothing, and every live pod is Running and Ready.
   *
   * @throws IllegalStateException on timeout, naming the pods not ready and the last failure
   */
  public void awaitIdle(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      while (true) {
        long writes = ctx.writes();
        long failures = queue.failures();
        queue.addAll(allKeys());
        queue.awaitDrained(deadline);
        List<String> notReady = notReadyPods();
        if (ctx.writes() == writes && queue.failures() == failures && notReady.isEmpty()) {
          return;
        }
        if (System.nanoTime() > deadline) {
          throw new TimeoutException("a pass still changed things");
        }
        if (ctx.writes() == writes) {
          Thread.sleep(50); // waiting on something outside (a failing runtime): do not spin
        }
      }
    } catch (TimeoutException e) {
      List<String> notReady = notReadyPods();
      throw new IllegalStateException("workloads not settled after " + timeout + " (" + e.getMessage() + "); "
          + notReady.size() + " pods not running and ready: " + notReady
          + (queue.lastFailure().isEmpty() ? "" : "; last failure: " + queue.lastFailure()), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the workloads", e);
    }
  }

  @Override
  public void close() {
    for (SharedIndexInformer<?> informer : informers) {
      try {
        informer.close();
      } catch (RuntimeException e) {
        // closing anyway
      }
    }
    // Let the watches finish closing before the caller closes the client under them.
    for (SharedIndexInformer<?> informer : informers) {
      try {
        informer.stopped().toCompletableFuture().get(2, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } catch (ExecutionException | java.util.concurrent.TimeoutException | RuntimeException e) {
        // stopped with an error or slowly: closing anyway
      }
    }
    informers.clear();
    queue.close();
  }

  private void reconcile(Key key) {
    switch (key.kind()) {
      case NODES -> ensureNodes();
      case DEPLOYMENT -> deployments.reconcile(key.namespace(), key.name());
      case REPLICASET -> replicaSets.reconcile(key.namespace(), key.name());
      case STATEFULSET -> statefulSets.reconcile(key.namespace(), key.name());
      case DAEMONSET -> daemonSets.reconcile(key.namespace(), key.name());
      case CRONJOB -> cronJobs.reconcile(key.namespace(), key.name());
      case JOB -> jobs.reconcile(key.namespace(), key.name());
      case POD -> pods.reconcile(key.namespace(), key.name());
      case SERVICE -> endpointSlices.reconcile(key.namespace(), key.name());
      case GC -> gc.collect(key.namespace());
      case NAMESPACE_GONE -> gc.emptyNamespace(key.namespace());
    }
  }

  /** Nodes lab-node-0..n-1, Ready, with the labels and addresses a kubelet registers. */
  private void ensureNodes() {
    for (int i = 0; i < ctx.nodes; i++) {
      String name = KubeObjects.nodeName(i);
      Node node = client.nodes().withName(name).get();
      if (node == null) {
        node = ctx.create(new NodeBuilder()
            .withNewMetadata().withName(name).withLabels(KubeObjects.nodeLabels(i)).endMetadata()
            .withNewSpec().withPodCIDR(NetworkPodRuntime.podCidr(i)).withPodCIDRs(NetworkPodRuntime.podCidr(i)).endSpec()
            .build());
      }
      boolean ready = node.getStatus() != null && node.getStatus().getConditions() != null
          && node.getStatus().getConditions().stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
      if (!ready) {
        String now = KubeObjects.now();
        NodeCondition condition = new NodeConditionBuilder().withType("Ready").withStatus("True")
            .withReason("KubeletReady").withMessage("kubelet is posting ready status")
            .withLastHeartbeatTime(now).withLastTransitionTime(now).build();
        Map<String, Quantity> capacity = Map.of("cpu", new Quantity("2"), "memory", new Quantity("4Gi"),
            "pods", new Quantity("110"));
        int index = i;
        ctx.editStatus(node, n -> {
          n.setStatus(new NodeStatusBuilder()
              .withConditions(condition)
              .addNewAddress().withType("InternalIP").withAddress(KubeObjects.hostIp(index)).endAddress()
              .addNewAddress().withType("Hostname").withAddress(name).endAddress()
              .withCapacity(capacity).withAllocatable(capacity)
              .withNewNodeInfo().withArchitecture("amd64").withOperatingSystem("linux")
              .withKubeletVersion("v1.33.0-lab").withContainerRuntimeVersion("palisade-lab://1")
              .withOsImage("Palisade lab").withKernelVersion(System.getProperty("os.version"))
              .withBootID("").withMachineID("").withSystemUUID("").withKubeProxyVersion("")
              .endNodeInfo()
              .build());
          return n;
        });
      }
    }
  }

  private List<Key> replicaSetKeys(ReplicaSet rs) {
    List<Key> keys = new ArrayList<>(List.of(key(Kind.REPLICASET, rs)));
    ownerKey(rs).ifPresent(keys::add);
    return keys;
  }

  private List<Key> jobKeys(Job job) {
    List<Key> keys = new ArrayList<>(List.of(key(Kind.JOB, job)));
    ownerKey(job).ifPresent(keys::add); // a CronJob's Job finished or went away
    return keys;
  }

  private List<Key> podKeys(Pod pod) {
    List<Key> keys = new ArrayList<>(List.of(key(Kind.POD, pod)));
    ownerKey(pod).ifPresent(keys::add);
    SharedIndexInformer<Service> services = serviceInformer;
    if (services != null) {
      // Any Service of the namespace may select the pod, before or after a label change.
      String ns = pod.getMetadata().getNamespace();
      for (Service s : services.getStore().list()) {
        if (ns.equals(s.getMetadata().getNamespace())) {
          keys.add(key(Kind.SERVICE, s));
        }
      }
    }
    return keys;
  }

  private List<Key> sliceKeys(EndpointSlice slice) {
    String service = KubeObjects.labels(slice).get(EndpointSliceController.SERVICE_NAME);
    return service == null ? List.of() : List.of(new Key(Kind.SERVICE, slice.getMetadata().getNamespace(), service));
  }

  private static Optional<Key> ownerKey(HasMetadata object) {
    return KubeObjects.controllerOf(object).flatMap(ref -> {
      Kind kind = CONTROLLER_KINDS.get(ref.getKind());
      return kind == null ? Optional.empty()
          : Optional.of(new Key(kind, object.getMetadata().getNamespace(), ref.getName()));
    });
  }

  private static Key key(Kind kind, HasMetadata object) {
    return new Key(kind, object.getMetadata().getNamespace(), object.getMetadata().getName());
  }

  /** Every key there is, read from the API server now: a full pass. Owners come before what they own. */
  private List<Key> allKeys() {
    Set<Key> keys = new LinkedHashSet<>();
    Set<String> namespaces = new LinkedHashSet<>();
    keys.add(new Key(Kind.NODES, "", ""));
    addKeys(keys, namespaces, Kind.DEPLOYMENT, client.apps().deployments().inAnyNamespace().list().getItems());
    addKeys(keys, namespaces, Kind.REPLICASET, client.apps().replicaSets().inAnyNamespace().list().getItems());
    addKeys(keys, namespaces, Kind.STATEFULSET, client.apps().statefulSets().inAnyNamespace().list().getItems());
    addKeys(keys, namespaces, Kind.DAEMONSET, client.apps().daemonSets().inAnyNamespace().list().getItems());
    addKeys(keys, namespaces, Kind.CRONJOB, client.batch().v1().cronjobs().inAnyNamespace().list().getItems());
    addKeys(keys, namespaces, Kind.JOB, client.batch().v1().jobs().inAnyNamespace().list().getItems());
    addKeys(keys, namespaces, Kind.POD, client.pods().inAnyNamespace().list().getItems());
    for (String started : pods.startedKeys()) { // pods deleted while no one was looking still get stopped
      int slash = started.indexOf('/');
      keys.add(new Key(Kind.POD, started.substring(0, slash), started.substring(slash + 1)));
    }
    addKeys(keys, namespaces, Kind.SERVICE, client.services().inAnyNamespace().list().getItems());
    for (EndpointSlice slice : client.discovery().v1().endpointSlices().inAnyNamespace().list().getItems()) {
      keys.addAll(sliceKeys(slice));
      namespaces.add(slice.getMetadata().getNamespace());
    }
    for (String ns : namespaces) {
      keys.add(new Key(Kind.GC, ns, ""));
    }
    return new ArrayList<>(inLab(new ArrayList<>(keys)));
  }

  private static void addKeys(Set<Key> keys, Set<String> namespaces, Kind kind, List<? extends HasMetadata> objects) {
    for (HasMetadata o : objects) {
      keys.add(key(kind, o));
      namespaces.add(o.getMetadata().getNamespace());
    }
  }

  private List<String> notReadyPods() {
    return client.pods().inAnyNamespace().list().getItems().stream()
        .filter(KubeObjects::active)
        .filter(p -> !external.contains(p.getMetadata().getNamespace()))
        .filter(p -> !KubeObjects.runningAndReady(p))
        .map(p -> p.getMetadata().getNamespace() + "/" + p.getMetadata().getName())
        .toList();
  }

  private <T extends HasMetadata> SharedIndexInformer<T> inform(Informable<T> resources, Function<T, List<Key>> keys,
      boolean collectOnDelete) {
    Function<T, List<Key>> onDelete = collectOnDelete ? o -> {
      List<Key> k = new ArrayList<>(keys.apply(o));
      k.add(new Key(Kind.GC, o.getMetadata().getNamespace(), ""));
      return k;
    } : keys;
    SharedIndexInformer<T> informer = resources.inform(new Handler<>(keys, onDelete), RESYNC_MILLIS);
    informers.add(informer);
    return informer;
  }

  /** Turns informer events into keys on the queue; does no work on the informer's thread. */
  private final class Handler<T extends HasMetadata> implements ResourceEventHandler<T> {
    private final Function<T, List<Key>> keys;
    private final Function<T, List<Key>> deleteKeys;

    Handler(Function<T, List<Key>> keys, Function<T, List<Key>> deleteKeys) {
      this.keys = keys;
      this.deleteKeys = deleteKeys;
    }

    @Override
    public void onAdd(T object) {
      queue.addAll(inLab(keys.apply(object)));
    }

    @Override
    public void onUpdate(T before, T after) {
      queue.addAll(inLab(keys.apply(before)));
      queue.addAll(inLab(keys.apply(after)));
    }

    @Override
    public void onDelete(T object, boolean finalStateUnknown) {
      queue.addAll(inLab(deleteKeys.apply(object)));
    }
  }
}
