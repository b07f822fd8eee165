package dev.palisade.dataplane.agent;

import dev.palisade.model.Mode;
import dev.palisade.model.crd.AllowList;
import dev.palisade.model.crd.AllowListSpec;
import dev.palisade.model.crd.WorkloadIdentity;
import dev.palisade.model.crd.WorkloadIdentitySpec;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * A large cluster held in memory as the agent's informers would hold it, for measuring one sync
 * without a kernel or an API server: Deployments of {@code podsPerWorkload} pods spread over 50
 * namespaces, the first {@code localWorkloads} of them with {@link #LOCAL_PER_WORKLOAD} pods on
 * this node, each local identity's AllowList approving 20 random identities in and 10 out, and
 * NetworkPolicies with pod and namespace selectors and an ipBlock on the local workloads. Seeded:
 * every run measures the same cluster. Mutators play single pod events; each returns the pod's key.
 */
final class SyncScenario {
  static final String NODE = "node-1";
  static final int NAMESPACES = 50;
  static final int LOCAL_PER_WORKLOAD = 10;

  final Map<String, Pod> pods = new LinkedHashMap<>();
  final Map<String, ReplicaSet> replicaSets = new HashMap<>();
  final List<WorkloadIdentity> identities = new ArrayList<>();
  final List<AllowList> allowLists = new ArrayList<>();
  final List<NetworkPolicy> policies = new ArrayList<>();
  final List<Namespace> namespaces = new ArrayList<>();
  /** Pods changed since {@link #delta} was last asked, as the pod informer's handlers record them. */
  private final java.util.Set<String> dirty = new java.util.HashSet<>();
  /** Owner changes, as the agent's informers record them ({@link #ownerArrived}). */
  final OwnerVersions owners = new OwnerVersions();
  private int workloads;
  private final SplittableRandom random = new SplittableRandom(7);
  private int serial;

  SyncScenario(int totalPods, int podsPerWorkload, int localWorkloads) {
    workloads = totalPods / podsPerWorkload;
    for (int n = 0; n < NAMESPACES; n++) {
      namespaces.add(new NamespaceBuilder().withNewMetadata().withName(ns(n))
          .addToLabels("team", "t" + n % 5).endMetadata().build());
    }
    for (int w = 0; w < workloads; w++) {
      replicaSets.put(ns(w % NAMESPACES) + "/" + rs(w), replicaSet(w));
      identities.add(identity(w));
      for (int k = 0; k < podsPerWorkload; k++) {
        boolean local = w < localWorkloads && k < LOCAL_PER_WORKLOAD;
        add(w, local);
      }
    }
    for (int w = 0; w < localWorkloads; w++) {
      allowLists.add(allowList(w));
      policies.add(policy(w));
    }
  }

  /** The cluster as the informers' stores list it: new lists each time, the same objects while unchanged. */
  ClusterSnapshot snapshot() {
    return new ClusterSnapshot(List.copyOf(pods.values()), (ns, kind, name) -> kind.equals("ReplicaSet")
        ? Optional.<HasMetadata>ofNullable(replicaSets.get(ns + "/" + name)) : Optional.empty(),
        List.copyOf(identities), List.copyOf(allowLists), policies, List.of(), namespaces, List.of(), List.of(), List.of(), Mode.ENFORCE);
  }

  /** The pods changed since the last call, read as the store holds them now (null: deleted). */
  PodDelta delta() {
    Map<String, Pod> changed = new HashMap<>();
    dirty.forEach(k -> changed.put(k, pods.get(k)));
    dirty.clear();
    return PodDelta.of(changed);
  }

  /** A new pod of workload {@code w} (local or on another node); returns its key. */
  String add(int w, boolean local) {
    int i = serial++;
    int a = 2 * i + 1; // odd addresses: no two pods merge into a range
    String ip = "10." + (128 + (a >> 16)) + "." + ((a >> 8) & 0xff) + "." + (a & 0xff);
    String name = rs(w) + "-" + i;
    Pod p = new PodBuilder().withMetadata(new ObjectMetaBuilder().withNamespace(ns(w % NAMESPACES)).withName(name)
        .withLabels(Map.of("app", "w" + w, "tier", "t" + w % 3)).withResourceVersion("1")
        .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("apps/v1").withKind("ReplicaSet")
            .withName(rs(w)).withUid("rs-" + w).withController(true).build()).build())
        .withNewSpec().withNodeName(local ? NODE : "remote-" + i / 100).addNewContainer().withName("c")
        .addNewPort().withName("http").withContainerPort(8080).endPort().endContainer().endSpec()
        .withNewStatus().withPodIP(ip).withPhase("Running").endStatus().build();
    String key = p.getMetadata().getNamespace() + "/" + name;
    pods.put(key, p);
    dirty.add(key);
    return key;
  }

  /**
   * A new workload on this node as a bare pod's start brings it: its WorkloadIdentity and AllowList
   * (written by the controller) and its pod, in one sync; returns the pod's key.
   */
  String addLocalWorkload() {
    int w = workloads++;
    ownerArrived(w);
    identities.add(identity(w));
    allowLists.add(allowList(w));
    return add(w, true);
  }

  /**
   * A new Deployment on other nodes as the agent first sees it: its ReplicaSet and first pod, before
   * the controller has given it an identity; returns the pod's key. Taken back by {@link
   * #removeRemoteWorkload}.
   */
  String addRemoteWorkload() {
    int w = workloads++;
    ownerArrived(w);
    return add(w, false);
  }

  void removeRemoteWorkload(String podKey) {
    workloads--;
    replicaSets.remove(ns(workloads % NAMESPACES) + "/" + rs(workloads));
    owners.bump(OwnerVersions.key(ns(workloads % NAMESPACES), "ReplicaSet", rs(workloads)));
    delete(podKey);
  }

  /** Workload {@code w}'s ReplicaSet is stored, its version moves and its pods are marked, as the informers do. */
  private void ownerArrived(int w) {
    String ns = ns(w % NAMESPACES);
    replicaSets.put(ns + "/" + rs(w), replicaSet(w));
    owners.bump(OwnerVersions.key(ns, "ReplicaSet", rs(w)));
    String prefix = ns + "/" + rs(w) + "-";
    pods.keySet().stream().filter(k -> k.startsWith(prefix)).forEach(dirty::add);
  }

  /** Takes back {@link #addLocalWorkload}'s newest workload (its pod, identity and AllowList), so the cluster keeps its size. */
  void removeLocalWorkload(String podKey) {
    workloads--;
    replicaSets.remove(ns(workloads % NAMESPACES) + "/" + rs(workloads));
    owners.bump(OwnerVersions.key(ns(workloads % NAMESPACES), "ReplicaSet", rs(workloads)));
    identities.remove(identities.size() - 1);
    allowLists.remove(allowLists.size() - 1);
    delete(podKey);
  }

  /** A remote workload at random (not a local one). */
  int remoteWorkload(int localWorkloads) {
    return localWorkloads + random.nextInt(workloads - localWorkloads);
  }

  void delete(String key) {
    if (pods.remove(key) == null) {
      throw new IllegalArgumentException("no pod " + key);
    }
    dirty.add(key);
  }

  /** Replaces the pod with a copy whose "tier" label differs (an informer update). */
  void relabel(String key) {
    Pod old = pods.get(key);
    Map<String, String> labels = new HashMap<>(old.getMetadata().getLabels());
    labels.put("tier", "t" + random.nextInt(3));
    pods.put(key, new PodBuilder(old).editMetadata().withLabels(labels).endMetadata().build());
    dirty.add(key);
  }

  /** Any pod's key at random. */
  String anyPod() {
    List<String> keys = new ArrayList<>(pods.keySet());
    return keys.get(random.nextInt(keys.size()));
  }

  static String ns(int n) {
    return "ns-" + n;
  }

  static String rs(int w) {
    return "w" + w + "-h" + w;
  }

  private static ReplicaSet replicaSet(int w) {
    return new ReplicaSetBuilder().withMetadata(new ObjectMetaBuilder().withNamespace(ns(w % NAMESPACES))
        .withName(rs(w)).withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("apps/v1")
            .withKind("Deployment").withName("w" + w).withUid("d-" + w).withController(true).build()).build())
        .build();
  }

  private static WorkloadIdentity identity(int w) {
    WorkloadIdentity wi = new WorkloadIdentity();
    wi.setMetadata(new ObjectMetaBuilder().withNamespace(ns(w % NAMESPACES)).withName("w" + w).build());
    wi.setSpec(new WorkloadIdentitySpec());
    wi.getSpec().kind = "Deployment";
    wi.getSpec().name = "w" + w;
    wi.getSpec().id = id(w);
    return wi;
  }

  static long id(int w) {
    return 1000 + w;
  }

  private AllowList allowList(int w) {
    AllowList l = new AllowList();
    l.setMetadata(new ObjectMetaBuilder().withNamespace(ns(w % NAMESPACES)).withName("w" + w).build());
    l.setSpec(new AllowListSpec());
    l.getSpec().identity = id(w);
    l.getSpec().revision = 1;
    l.getSpec().revisionSize = 1;
    l.getSpec().mode = "enforce";
    l.getSpec().ingress = new ArrayList<>();
    l.getSpec().egress = new ArrayList<>();
    for (int k = 0; k < 20; k++) {
      l.getSpec().ingress.add(rule(id(random.nextInt(workloads)), "8080"));
    }
    for (int k = 0; k < 10; k++) {
      l.getSpec().egress.add(rule(id(random.nextInt(workloads)), "5432"));
    }
    AllowListSpec.Rule cidr = new AllowListSpec.Rule();
    cidr.peerCidr = "192.168.0.0/16";
    cidr.except = List.of("192.168.1.0/24");
    cidr.protocol = "TCP";
    cidr.ports = "443";
    l.getSpec().egress.add(cidr);
    return l;
  }

  private static AllowListSpec.Rule rule(long peer, String ports) {
    AllowListSpec.Rule r = new AllowListSpec.Rule();
    r.peerIdentity = peer;
    r.protocol = "TCP";
    r.ports = ports;
    return r;
  }

  /** Ingress to the workload on its named port from pods of one tier in namespaces of one team, and an ipBlock. */
  private static NetworkPolicy policy(int w) {
    return new NetworkPolicyBuilder().withNewMetadata().withNamespace(ns(w % NAMESPACES)).withName("np-w" + w)
        .withResourceVersion("1").endMetadata().withNewSpec().withNewPodSelector().addToMatchLabels("app", "w" + w)
        .endPodSelector().addToPolicyTypes("Ingress").addNewIngress()
        .addNewFrom().withNewNamespaceSelector().addToMatchLabels("team", "t" + w % 5).endNamespaceSelector()
        .withNewPodSelector().addToMatchLabels("tier", "t" + w % 3).endPodSelector().endFrom()
        .addNewFrom().withNewIpBlock().withCidr("172.16.0.0/12").addToExcept("172.16.5.0/24").endIpBlock().endFrom()
        .addNewPort().withProtocol("TCP").withPort(new IntOrString("http")).endPort().endIngress().endSpec().build();
  }
}
