package dev.palisade.controller.identity;

import dev.palisade.controller.ingest.FlowVetting;
import dev.palisade.controller.ingest.GonePods;
import dev.palisade.model.WorkloadRef;
import dev.palisade.model.crd.CrdNames;
import dev.palisade.model.crd.WorkloadIdentity;
import dev.palisade.model.crd.WorkloadIdentitySpec;
import dev.palisade.model.workload.WorkloadResolver;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Pods -> their workloads (root owner) -> numeric identities, the one map the controller names
 * graph vertices by. A workload's first pod allocates its identity and writes its
 * WorkloadIdentity (the agents' source); identities never change once given, across restarts
 * ({@link #restore}). Deleted pods stay known for a while ({@link GonePods}): their node's last
 * flow report may come after the deletion. Called on the controller's loop thread.
 */
public final class WorkloadIndex {
  private final KubernetesClient client;
  private final IdentityAllocator ids = new IdentityAllocator();
  private final Map<WorkloadRef, Set<String>> podsOf = new HashMap<>();
  private final Map<String, WorkloadRef> workloadOfPod = new HashMap<>();
  private final Map<String, Map<String, String>> labelsOf = new HashMap<>();
  private final GonePods gonePods = new GonePods(100_000);

  public WorkloadIndex(KubernetesClient client) {
    this.client = client;
  }

  /** A WorkloadIdentity a previous run wrote: the same workload keeps the same number. */
  public void restore(WorkloadIdentity wi) {
    WorkloadRef w = new WorkloadRef(wi.getMetadata().getNamespace(), wi.getSpec().kind, wi.getSpec().name);
    ids.restore(w, wi.getSpec().id);
    if (wi.getSpec().labels != null) {
      labelsOf.put(w.toString(), wi.getSpec().labels);
    }
  }

  /**
   * A pod added, changed or deleted; returns the identity its workload got if it is new (its
   * WorkloadIdentity is written; its allow-list is still to be published).
   */
  public Optional<Long> onPod(Pod p, boolean deleted, WorkloadResolver resolver, long nowMillis) {
    String key = p.getMetadata().getNamespace() + "/" + p.getMetadata().getName();
    if (deleted) {
      WorkloadRef w = workloadOfPod.remove(key);
      if (w != null) {
        podsOf.getOrDefault(w, new HashSet<>()).remove(key);
        String node = p.getSpec() == null ? null : p.getSpec().getNodeName();
        ids.find(w).ifPresent(id -> gonePods.deleted(key, new FlowVetting.PodFacts(node, id), nowMillis));
      }
      return Optional.empty();
    }
    gonePods.created(key);
    WorkloadRef w = resolver.workloadOf(p);
    WorkloadRef before = workloadOfPod.put(key, w);
    if (before != null && !before.equals(w)) {
      podsOf.getOrDefault(before, new HashSet<>()).remove(key); // resolved again: its owner arrived late
    }
    labelsOf.put(w.toString(), WorkloadResolver.stableLabels(p));
    podsOf.computeIfAbsent(w, k -> new HashSet<>()).add(key);
    IdentityAllocator.Allocation a = ids.idFor(w);
    if (!a.isNew()) {
      return Optional.empty();
    }
    WorkloadIdentitySpec spec = new WorkloadIdentitySpec();
    spec.id = a.id();
    spec.kind = w.kind();
    spec.name = w.name();
    spec.serviceAccount = p.getSpec() == null ? null : p.getSpec().getServiceAccountName();
    spec.labels = WorkloadResolver.stableLabels(p);
    WorkloadIdentity wi = new WorkloadIdentity();
    wi.setMetadata(new ObjectMetaBuilder().withNamespace(w.namespace()).withName(CrdNames.objectName(w)).build());
    wi.setSpec(spec);
    client.resources(WorkloadIdentity.class).inNamespace(w.namespace()).resource(wi)
        .createOr(NonDeletingOperation::update);
    return Optional.of(a.id());
  }

  /** A vertex's identity, if it names a workload that has one. */
  public Optional<Long> identityOf(String vertex) {
    return ids.findVertex(vertex);
  }

  /** An identity's vertex: NS/KIND/NAME, a reserved name, or unknown. */
  public String vertexOf(long id) {
    return ids.vertexOf(id);
  }

  public Optional<WorkloadRef> workload(long id) {
    return ids.workload(id);
  }

  /** The workload of a live pod NS/NAME. */
  public Optional<WorkloadRef> workloadOfPod(String podKey) {
    return Optional.ofNullable(workloadOfPod.get(podKey));
  }

  /** Every workload's live pods, NS/NAME. */
  public Map<WorkloadRef, Set<String>> podsByWorkload() {
    return podsOf;
  }

  /** A workload's stable labels (those its identity is made of), by vertex. */
  public Map<String, String> labelsOf(String vertex) {
    return labelsOf.getOrDefault(vertex, Map.of());
  }

  /** Every identity given. */
  public Set<Long> identities() {
    return new HashSet<>(ids.snapshot().values());
  }

  public int size() {
    return ids.snapshot().size();
  }

  /**
   * What an agent's report about pod NS/NAME is checked against: its node and identity;
   * {@code live} is the informer's copy (null once deleted: then what was known at deletion).
   */
  public FlowVetting.PodFacts podFacts(String key, Pod live, long nowMillis) {
    WorkloadRef w = workloadOfPod.get(key);
    if (live == null || w == null) {
      return gonePods.of(key, nowMillis); // its node's report may come after its deletion
    }
    return ids.find(w).map(id -> new FlowVetting.PodFacts(live.getSpec() == null ? null : live.getSpec().getNodeName(),
        id)).orElse(null);
  }
}
