package dev.palisade.dataplane.agent;

import dev.palisade.dataplane.agent.ObjectProblems.Problem;
import dev.palisade.dataplane.netpol.ClusterPolicyCompiler;
import dev.palisade.dataplane.netpol.NetworkPolicyCompiler;
import dev.palisade.dataplane.netpol.PodTiers;
import dev.palisade.model.cnp.ClusterNetworkPolicy;
import dev.palisade.model.cnp.ClusterNetworkPolicyReader;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import dev.palisade.dataplane.netpol.PodViews;
import dev.palisade.dataplane.render.Interval;
import dev.palisade.dataplane.render.NodeRules;
import dev.palisade.model.Identities;
import dev.palisade.model.IdentityPolicy;
import dev.palisade.model.Mode;
import dev.palisade.model.crd.AllowList;
import dev.palisade.model.crd.AllowListSpec;
import dev.palisade.model.crd.WorkloadIdentity;
import dev.palisade.model.workload.ModeResolver;
import dev.palisade.model.workload.WorkloadResolver;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A snapshot of the cluster -> what this node must enforce. Computes only (its caches of pod
 * facts, pod views, NetworkPolicy peers and approved sets are kept between calls for speed, and
 * IncrementalEqualsFullTest holds them to a from-scratch result): no kernel, no API server.
 *
 * <p>Fail closed: a local pod's mode comes from its workload's valid AllowList (which the
 * controller computed from SegmentationMode and annotations) or, when there is none (missing,
 * invalid, deleted, not yet written, no identity yet), from SegmentationMode and annotations read
 * here, with the controller's published default last. Never from the absence of a list: an
 * enforced workload without a list is enforced with nothing approved. A bad object is skipped and
 * named in {@link Result#problems}; it never stops the rules of the others.
 */
final class NodeRulesCalculator {
  /** How a pod's address was handed out, for the agent's IP history (flows are attributed by it). */
  interface Tenancies {
    void assign(String ip, String pod, long identity);
  }

  /**
   * @param rules the node's rules; the IPv6 addresses of restricted local pods are closed (never a bypass)
   * @param localIdentity local pod IPv4 -> identity
   * @param podIps every pod address the rules were computed with: a read-only view of the
   *     calculator's state, valid on the calling thread until its next call (copy it, or follow
   *     {@code podIpsMoved}, to hand it to another thread: copying 10k addresses was most of a sync)
   * @param podIpsMoved {added, removed} addresses since the previous call; null when every pod was
   *     read again (then take {@code podIps} whole)
   * @param revision the controller revision the rules may claim ({@link RevisionClaim})
   * @param announcedInStatus announced pods (namespace/name) whose status now has their address
   * @param from what the rules were computed from, per kind (NetworkPolicy, Namespace, Pod, ClusterNetworkPolicy)
   */
  record Result(NodeRules rules, Map<String, Long> localIdentity, Set<String> podIps, List<Set<String>> podIpsMoved,
      long revision,
      List<Problem> problems, Set<String> announcedInStatus, Map<String, List<? extends HasMetadata>> from,
      dev.palisade.dataplane.dns.NameGrants nameGrants) {}

  private final String nodeName;
  private final FailsafeBuilder.Config failsafe;
  private final PodFacts podFacts;
  private final PodViews podViews = new PodViews();
  private final ApprovedRects approved = new ApprovedRects();
  private final ObjectReadings readings = new ObjectReadings();
  private final LocalPods localPods = new LocalPods();
  /** Every pod's address claim, moved by pod deltas; null before the first call. */
  private PodAddresses addresses;
  /** False while a call is under way, and after one threw: the next call then reads every pod. */
  private boolean trusted;
  private Map<String, String> lastAnnounced = Map.of();
  private Set<WorkloadIdentity> lastIdentities = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
  private long fullReads;

  NodeRulesCalculator(String nodeName, FailsafeBuilder.Config failsafe) {
    this.nodeName = nodeName;
    this.failsafe = failsafe;
    this.podFacts = new PodFacts(nodeName);
  }

  /**
   * @param owners how often each owner (ReplicaSet, Job) changed: a pod's workload is resolved again when its
   *     owner's moved (the caller's delta then holds the owner's pods)
   * @param announced namespace/name -> IP of local pods whose network is being set up (CNI ADD), before
   *     the API server has the address in the pod's status
   */
  Result calculate(ClusterSnapshot s, OwnerVersions owners, Map<String, String> announced, Tenancies tenancies) {
    return calculate(s, owners, announced, tenancies, PodDelta.WHOLE);
  }

  /**
   * As above, told which pods changed since the last call ({@code delta}; {@link PodDelta#WHOLE}:
   * not known). The pods are then moved one by one in the kept state and {@code s.pods()} is not
   * read; every other kind is read from {@code s} as always. The answer is the one a fresh
   * calculator gives on every pod (PodDeltaEqualsFullTest). Every pod is read again whenever the
   * kept state cannot be trusted: the first call, or after a call that threw. A changed identity
   * reads its workload's pods again; a changed owner comes as its pods in the delta.
   */
  Result calculate(ClusterSnapshot s, OwnerVersions ownerVersions, Map<String, String> announced,
      Tenancies tenancies, PodDelta delta) {
    if (s.clusterDefault() == null) {
      throw new IllegalStateException("the controller's default mode is not known yet");
    }
    List<Problem> problems = new ArrayList<>();
    Map<String, Long> idOfWorkload = readings.identities(s.identities(), problems);
    ModeResolver modes = localPods.modes(s.modes(), s.namespaces(), s.clusterDefault(), s.workloadModeAnnotations(),
        problems);
    WorkloadResolver owners = new WorkloadResolver(s.owners());
    Map<String, Pod> changed = changedPods(s, announced, delta);
    trusted = false; // until this call has moved every part of the kept state
    PodAddresses.Context ctx = new PodAddresses.Context(podFacts, idOfWorkload, owners, ownerVersions, announced);
    if (changed == null) {
      addresses = PodAddresses.rebuilt(addresses, s.pods(), ctx, tenancies);
      fullReads++;
    } else if (identitiesChanged) {
      // a workload's first pod brings its identity: only the pods of workloads whose identity moved
      // are read again (a new workload's, usually one pod), not every pod of the cluster
      Map<String, Pod> moved = addresses.identityMoved(idOfWorkload);
      moved.forEach((key, pod) -> {
        if (!changed.containsKey(key)) { // not putIfAbsent: a deleted pod's null counts as present
          changed.put(key, pod);
        }
      });
      addresses.update(changed, moved.keySet(), ctx, tenancies);
    } else {
      addresses.update(changed, ctx, tenancies);
    }
    problems.addAll(addresses.problems());

    Map<Long, IdentityPolicy> policies = readings.policies(s.allowLists(), problems);
    Set<String> policedNamespaces = new HashSet<>();
    for (NetworkPolicy np : s.networkPolicies()) {
      policedNamespaces.add(np.getMetadata().getNamespace());
    }
    Set<String> inStatus = new HashSet<>();
    for (String key : announced.keySet()) {
      PodAddresses.Entry e = addresses.get(key);
      if (e != null && e.facts != null && e.facts.statusIp != null) {
        inStatus.add(key);
      }
    }
    // A node has few pods: its own are read whole (in key order, a stable answer) whenever one
    // of them, the AllowLists, the modes or the policed namespaces changed; else last sync's reading
    LocalPods.Reading mine = localPods.read(addresses.local(), policies, modes, policedNamespaces, problems);
    Map<String, Long> local = mine.local();
    Map<String, Mode> localModes = mine.modes(); // every local pod -> its mode (LocalPods.modeOf)
    // ... and as a peer a contested address speaks for neither identity (PodAddresses leaves it out)
    Map<Long, Set<String>> ipsById = addresses.ipsById();
    NetworkPolicyCompiler.Result np = changed == null
        ? NetworkPolicyCompiler.compile(s.networkPolicies(), s.namespaces(), withAnnounced(s.pods(), announced),
            local.keySet(), podViews)
        : NetworkPolicyCompiler.compile(s.networkPolicies(), s.namespaces(), withAnnounced(changed, announced),
            local.keySet(), podViews);
    for (String line : np.problems()) {
      problems.add(LocalPods.fromLine("NetworkPolicy", line));
    }
    List<ClusterNetworkPolicy> clusterPolicies = clusterPolicies(s.clusterPolicies(), problems);
    Map<String, PodTiers> tiers = clusterPolicies.isEmpty() ? Map.of()
        : ClusterPolicyCompiler.compile(clusterPolicies, s.namespaces(), withAnnounced(s.pods(), announced),
            local.keySet());
    // ENFORCE is never reached (every local pod has its mode in localModes): it is only the answer if
    // that ever breaks.
    approved.begin(addresses.touched(), addresses.addressMoves());
    NodeRules groups = NodeRulesBuilder.build(local, ipsById, policies, Mode.ENFORCE, np.pods(), localModes, approved,
        tiers);
    NodeRules.Failsafe safe = failsafe.enabled()
        ? FailsafeBuilder.build(failsafe, nodeName, s.nodes(), s.services(), s.slices())
        : NodeRules.Failsafe.NONE;
    // a pod only a cluster policy restricts is closed on IPv6 too: its tiers are IPv4 rules
    Set<String> closedV6 = new HashSet<>(mine.closedV6());
    closedV6.addAll(groups.restrictedV6(mine.v6ByV4()));
    // built once: each NodeRules checks every local address (two were built here on every sync)
    NodeRules rules = new NodeRules(groups.groups(), safe, closedV6);
    List<AllowListSpec> held = new ArrayList<>();
    for (AllowList al : s.allowLists()) {
      if (al.getSpec() != null) {
        held.add(al.getSpec());
      }
    }
    trusted = true;
    return new Result(rules, local, java.util.Collections.unmodifiableSet(addresses.seen()),
        addresses.seenMoves(), RevisionClaim.of(held), problems, inStatus,
        Map.of("NetworkPolicy", s.networkPolicies(), "Namespace", s.namespaces(), "Pod", s.pods(),
            ClusterNetworkPolicy.KIND, s.clusterPolicies()),
        mine.nameGrants());
  }

  /** How many calls read the local pods whole (the rest kept the last reading); for tests. */
  long localReadings() {
    return localPods.readings();
  }

  /** How many calls read every pod (the rest moved only the changed ones); for tests and metrics. */
  long fullReads() {
    return fullReads;
  }

  /**
   * The pods to move (key -> the pod now; null: gone), or null when every pod must be read: the
   * delta is not known or the kept state is not trusted. A pod whose announced address came or
   * went is moved too.
   */
  private Map<String, Pod> changedPods(ClusterSnapshot s, Map<String, String> announced, PodDelta delta) {
    identitiesChanged = !sameIdentities(s.identities());
    boolean sameContext = trusted && addresses != null;
    Map<String, String> announcedBefore = lastAnnounced;
    lastAnnounced = Map.copyOf(announced);
    if (delta.whole() || !sameContext) {
      return null;
    }
    Map<String, Pod> changed = new HashMap<>(delta.changed());
    Set<String> keys = new HashSet<>(announced.keySet());
    keys.addAll(announcedBefore.keySet());
    for (String key : keys) {
      if (!changed.containsKey(key) && !java.util.Objects.equals(announced.get(key), announcedBefore.get(key))) {
        PodAddresses.Entry e = addresses.get(key);
        if (e != null) {
          changed.put(key, e.pod);
        }
      }
    }
    return changed;
  }

  /** Whether this call's identities are other objects than the last call's (set by {@link #changedPods}). */
  private boolean identitiesChanged;

  /** True if {@code now} holds the same identity objects as the last call's (informers replace, never mutate). */
  private boolean sameIdentities(List<WorkloadIdentity> now) {
    boolean same = now.size() == lastIdentities.size();
    for (int i = 0; same && i < now.size(); i++) {
      same = lastIdentities.contains(now.get(i));
    }
    if (!same) {
      lastIdentities = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
      lastIdentities.addAll(now);
    }
    return same;
  }

  /**
   * Pods as NetworkPolicy must see them: a local pod announced at CNI ADD time already counts with
   * its address, before the API server has it in the pod's status.
   */
  private static List<Pod> withAnnounced(List<Pod> all, Map<String, String> announced) {
    if (announced.isEmpty()) {
      return all;
    }
    List<Pod> out = new ArrayList<>(all.size());
    for (Pod p : all) {
      String ip = announced.get(p.getMetadata().getNamespace() + "/" + p.getMetadata().getName());
      boolean noIp = p.getStatus() == null || p.getStatus().getPodIP() == null || p.getStatus().getPodIP().isBlank();
      if (ip != null && noIp) {
        p = new PodBuilder(p).editOrNewStatus().withPodIP(ip).endStatus().build();
      }
      out.add(p);
    }
    return out;
  }

  /** As above, for the changed pods (key -> the pod now; null: gone). */
  private static Map<String, Pod> withAnnounced(Map<String, Pod> changed, Map<String, String> announced) {
    if (announced.isEmpty()) {
      return changed;
    }
    Map<String, Pod> out = new HashMap<>();
    changed.forEach((key, p) -> out.put(key, p == null ? null : withAnnounced(List.of(p), announced).get(0)));
    return out;
  }

  /**
   * The cluster policies that can be enforced; each other one is skipped whole (never
   * half-applied) and named in {@code problems}, which the agent logs and turns into a Warning Event.
   */
  private static List<ClusterNetworkPolicy> clusterPolicies(List<GenericKubernetesResource> objects,
      List<Problem> problems) {
    List<ClusterNetworkPolicy> out = new ArrayList<>();
    for (GenericKubernetesResource o : objects) {
      try {
        out.add(ClusterNetworkPolicyReader.read(o));
      } catch (RuntimeException e) {
        problems.add(problem(o.getKind() == null ? ClusterNetworkPolicy.KIND : o.getKind(), o, e));
      }
    }
    return out;
  }

  static Problem problem(String kind, HasMetadata o, RuntimeException e) {
    return problem(kind, o, e.getMessage() == null ? e.toString() : e.getMessage());
  }

  static Problem problem(String kind, HasMetadata o, String message) {
    return Problem.of(kind, o, message);
  }
}
