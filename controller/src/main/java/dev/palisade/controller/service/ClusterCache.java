package dev.palisade.controller.service;

import dev.palisade.controller.access.ControllerAccess;
import dev.palisade.controller.identity.DnsWorkloads;
import dev.palisade.model.WorkloadRef;
import dev.palisade.model.crd.SegmentationMode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.Indexer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The controller's informers and what it looks up in their stores: every informer is of a kind
 * {@link ControllerAccess} declares (an undeclared kind fails as it is asked for, before anything
 * starts), all start together, and {@link #startAndAwait} returns only once each has synced, so
 * nothing is written from a partial view of the cluster. The stores are read on the controller's
 * loop thread; the informers' own threads only fill them.
 */
final class ClusterCache {
  /** The pod store's index of pods by their controlling owner ({@link #controllerKey}). */
  static final String BY_CONTROLLER = "controller";
  static final Map<String, Function<Pod, List<String>>> POD_INDEXERS = Map.of(BY_CONTROLLER,
      ClusterCache::controllerKey);
  private final KubernetesClient client;
  private final List<SharedIndexInformer<?>> all = new ArrayList<>();
  /** The kinds a mode may name, by kind (Pod apart: {@link #pods}). */
  private final Map<String, SharedIndexInformer<?>> rootOwners = new HashMap<>();
  private SharedIndexInformer<ReplicaSet> replicaSets;
  private SharedIndexInformer<Pod> pods;
  private SharedIndexInformer<Namespace> namespaces;
  private SharedIndexInformer<Service> services;
  private SharedIndexInformer<SegmentationMode> modes;

  ClusterCache(KubernetesClient client) {
    this.client = client;
  }

  /** An informer across all namespaces (handler may be null), started with the rest. */
  <T extends HasMetadata> SharedIndexInformer<T> inform(Class<T> kind, ResourceEventHandler<T> handler) {
    ControllerAccess.DECLARED.requireWatch(kind, null);
    SharedIndexInformer<T> informer = client.resources(kind).inAnyNamespace().runnableInformer(0);
    if (handler != null) {
      informer.addEventHandler(handler);
    }
    all.add(informer);
    return informer;
  }

  /** An informer made elsewhere (the guardrails', the published ConfigMap's), started and awaited with the rest. */
  void add(Collection<? extends SharedIndexInformer<?>> informers) {
    all.addAll(informers);
  }

  /** ReplicaSets: the owners a pod's workload is resolved through. */
  void replicaSets(ResourceEventHandler<ReplicaSet> h) {
    replicaSets = inform(ReplicaSet.class, h);
  }

  /** A root owner kind (Deployment, Job, ...): its mode annotations, and whether a named one exists. */
  <T extends HasMetadata> SharedIndexInformer<T> rootOwner(String kind, Class<T> type, ResourceEventHandler<T> h) {
    SharedIndexInformer<T> informer = inform(type, h);
    rootOwners.put(kind, informer);
    return informer;
  }

  SharedIndexInformer<Namespace> namespaces(ResourceEventHandler<Namespace> h) {
    return namespaces = inform(Namespace.class, h);
  }

  /** Services: which one is the cluster DNS. */
  void services() {
    services = inform(Service.class, null);
  }

  SharedIndexInformer<SegmentationMode> modes(ResourceEventHandler<SegmentationMode> h) {
    return modes = inform(SegmentationMode.class, h);
  }

  void pods(ResourceEventHandler<Pod> h) {
    pods = inform(Pod.class, h);
    pods.addIndexers(POD_INDEXERS);
  }

  void startAndAwait(Duration timeout) {
    all.forEach(SharedIndexInformer::start);
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!all.stream().allMatch(SharedIndexInformer::hasSynced)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("informers did not sync within " + timeout);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  void stop() {
    all.forEach(SharedIndexInformer::stop);
  }

  // ---- lookups (loop thread) ----

  /** A pod's owner as the workload resolver climbs to the root: only ReplicaSets and Jobs are looked up. */
  Optional<HasMetadata> owner(String namespace, String kind, String name) {
    SharedIndexInformer<? extends HasMetadata> store = switch (kind) {
      case "ReplicaSet" -> replicaSets;
      case "Job" -> typed(rootOwners.get("Job"));
      default -> null;
    };
    return store == null ? Optional.empty() : Optional.ofNullable(store.getIndexer().getByKey(namespace + "/" + name));
  }

  @SuppressWarnings("unchecked")
  private static SharedIndexInformer<? extends HasMetadata> typed(SharedIndexInformer<?> i) {
    return (SharedIndexInformer<? extends HasMetadata>) i;
  }

  boolean namespaceExists(String namespace) {
    return namespaces.getIndexer().getByKey(namespace) != null;
  }

  /** Whether a root owner of this kind, or a bare pod, exists. */
  boolean workloadExists(String namespace, String kind, String name) {
    SharedIndexInformer<?> owners = kind.equals("Pod") ? pods : rootOwners.get(kind);
    return owners != null && owners.getIndexer().getByKey(namespace + "/" + name) != null;
  }

  /** The live pod of a NS/NAME key, or null. */
  Pod pod(String key) {
    return pods.getIndexer().getByKey(key);
  }

  /** Every pod in the store. */
  List<Pod> pods() {
    return pods.getStore().list();
  }

  /** The pods whose controlling owner is this object (a ReplicaSet, a Job). */
  List<Pod> podsControlledBy(HasMetadata owner) {
    return podsControlledBy(pods.getIndexer(), owner);
  }

  /**
   * A lookup in the pod store's index, not a scan of the namespace: an owner's arrival in a
   * namespace of many pods costs its own pods only.
   */
  static List<Pod> podsControlledBy(Indexer<Pod> pods, HasMetadata owner) {
    return pods.byIndex(BY_CONTROLLER, controllerKey(owner.getMetadata().getNamespace(),
        HasMetadata.getKind(owner.getClass()), owner.getMetadata().getName()));
  }

  /**
   * NS/KIND/NAME of the pod's controlling owner reference (none for a bare pod). Keyed by name as
   * the workload resolver climbs owners by name ({@link #owner}), so an owner's arrival finds
   * exactly the pods whose resolution it can change. The informer's store updates this index under
   * the same lock as the pod itself, on add, update and delete, so a lookup agrees with the store
   * it is read beside; a map kept by an event handler would lag it (handlers are told after the
   * store changed, on their own thread).
   */
  static List<String> controllerKey(Pod pod) {
    List<OwnerReference> refs = pod.getMetadata().getOwnerReferences();
    if (refs != null) {
      for (OwnerReference r : refs) {
        if (Boolean.TRUE.equals(r.getController())) {
          return List.of(controllerKey(pod.getMetadata().getNamespace(), r.getKind(), r.getName()));
        }
      }
    }
    return List.of();
  }

  private static String controllerKey(String namespace, String kind, String name) {
    return namespace + "/" + kind + "/" + name;
  }

  List<Namespace> namespaces() {
    return namespaces.getStore().list();
  }

  List<SegmentationMode> modes() {
    return modes.getStore().list();
  }

  /** The workloads behind the Service kube-system/kube-dns, as vertex names. */
  Set<String> dnsWorkloads(Function<String, Optional<WorkloadRef>> workloadOfPod) {
    return DnsWorkloads.of(services.getIndexer().getByKey(DnsWorkloads.SERVICE_KEY),
        pods.getIndexer().byIndex(Cache.NAMESPACE_INDEX, "kube-system"), workloadOfPod);
  }
}
