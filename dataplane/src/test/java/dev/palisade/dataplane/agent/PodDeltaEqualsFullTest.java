package dev.palisade.dataplane.agent;

import static dev.palisade.dataplane.agent.AgentObjects.rule;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.dataplane.apply.RulesetApplier;
import dev.palisade.dataplane.render.DesiredRuleset;
import dev.palisade.dataplane.render.ElementMemo;
import dev.palisade.dataplane.render.NodeRules;
import dev.palisade.dataplane.render.RectSet;
import dev.palisade.dataplane.render.RulesetRenderer;
import dev.palisade.kernel.nft.FakeNftables;
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
import io.fabric8.kubernetes.api.model.PodIPBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The key correctness test of delta-driven syncs: a calculator told only which pods changed
 * ({@link PodDelta}, as the pod informer's handlers record them) must answer exactly what a fresh
 * calculator answers from every pod. Hundreds of seeded random sequences: pods added (often at an
 * address another pod had or still has), deleted, relabelled, moved between addresses, finished,
 * given an address late or an announced one first, IPv6 and malformed addresses, a key deleted and
 * added again between two syncs; mixed with identity, AllowList, NetworkPolicy, namespace and owner
 * changes (which make the calculator read every pod again). After each sync: the rules, the
 * rendered table, the local pods, the addresses seen, the problems, and what the IP history was
 * told are compared, and the table the agent's own path renders (kept elements, moved by the
 * approved sets' differences) and writes ({@link ChangedPartsApplier}) against a fresh full write.
 */
class PodDeltaEqualsFullTest {
  private static final String NODE = "node-1";
  private static final int WORKLOADS = 6;

  private final Map<String, Pod> pods = new LinkedHashMap<>();
  private final Map<String, ReplicaSet> replicaSets = new LinkedHashMap<>();
  private final Map<String, WorkloadIdentity> identities = new LinkedHashMap<>();
  private final Map<String, AllowList> allowLists = new LinkedHashMap<>();
  private final Map<String, NetworkPolicy> policies = new LinkedHashMap<>();
  private final Map<String, Namespace> namespaces = new LinkedHashMap<>();
  private final Map<String, String> announced = new HashMap<>();
  private final Set<String> dirty = new HashSet<>();
  private OwnerVersions ownerVersions = new OwnerVersions();
  private int serial;

  /** Approved sets the calculator moved by a difference (not made whole), counted over all sequences. */
  private long movedSets;
  /** NetworkPolicy peer sets the compile moved by the peers that joined or left, counted the same way. */
  private long movedPeerSets;

  @Test
  void deltasGiveWhatEveryPodGivesOverManyRandomSequences() {
    long deltaSyncs = 0;
    for (long seed = 1; seed <= 300; seed++) {
      deltaSyncs += sequence(seed);
    }
    assertTrue(deltaSyncs > 300 * 20, "most syncs must take the delta path, not read every pod: " + deltaSyncs);
    // the element-delta path (calculator -> renderer -> diff) must be what these syncs exercised
    assertTrue(movedSets > 300 * 10, "approved sets must be moved by differences, not rebuilt: " + movedSets);
    assertTrue(movedPeerSets > 300 * 10, "NetworkPolicy peer sets must be moved by differences, not rebuilt: "
        + movedPeerSets);
  }

  /** One random sequence; returns how many of its syncs moved only the changed pods. */
  private long sequence(long seed) {
    pods.clear();
    replicaSets.clear();
    identities.clear();
    allowLists.clear();
    policies.clear();
    namespaces.clear();
    announced.clear();
    dirty.clear();
    ownerVersions = new OwnerVersions();
    Random random = new Random(seed);
    for (int w = 0; w < WORKLOADS; w++) {
      replicaSets.put(ns(w) + "/" + rs(w), replicaSet(w));
      identities.put(ns(w) + "/w" + w, identity(w));
      allowLists.put(ns(w) + "/w" + w, allowList(w, random));
    }
    for (int n = 0; n < 3; n++) {
      namespaces.put("ns-" + n, namespace(n, "t" + n % 2));
    }
    policies.put("ns-0/np-w0", policy(0, "t0", "a"));
    policies.put("ns-1/np-w1", policy(1, "t1", "b"));
    for (int i = 0; i < 15; i++) {
      addPod(random, null);
    }
    dirty.clear();
    NodeRulesCalculator calculator = new NodeRulesCalculator(NODE, FailsafeBuilder.Config.OFF);
    // the agent's own render and write path, kept across syncs: moved elements, not whole sets
    ElementMemo memo = new ElementMemo();
    FakeNftables kernel = new FakeNftables();
    ChangedPartsApplier applier = new ChangedPartsApplier(kernel);
    Map<String, Long> told = new HashMap<>();
    calculator.calculate(snapshot(), ownerVersions, Map.copyOf(announced), (ip, pod, id) -> told.put(ip + " " + pod, id));
    List<String> steps = new ArrayList<>();
    long before = calculator.fullReads();
    int syncs = 40;
    for (int i = 0; i < syncs; i++) {
      int events = 1 + random.nextInt(4);
      for (int k = 0; k < events; k++) {
        steps.add(step(random));
      }
      String history = "seed " + seed + ": " + String.join(" | ", steps.subList(Math.max(0, steps.size() - 8),
          steps.size()));
      ClusterSnapshot s = snapshot();
      Map<String, Pod> changed = new HashMap<>();
      dirty.forEach(key -> changed.put(key, pods.get(key)));
      dirty.clear();
      Map<String, String> ann = Map.copyOf(announced);
      NodeRulesCalculator.Result kept = calculator.calculate(s, ownerVersions, ann,
          (ip, pod, id) -> told.put(ip + " " + pod, id), PodDelta.of(changed));
      Map<String, Long> toldFull = new HashMap<>();
      NodeRulesCalculator.Result full = new NodeRulesCalculator(NODE, FailsafeBuilder.Config.OFF)
          .calculate(s, ownerVersions, ann, (ip, pod, id) -> toldFull.put(ip + " " + pod, id));
      assertEquals(full.rules(), kept.rules(), "rules after: " + history);
      DesiredRuleset fullRender = RulesetRenderer.render(full.rules());
      DesiredRuleset keptRender = RulesetRenderer.render(kept.rules(), memo);
      assertEquals(fullRender.text(), RulesetRenderer.render(kept.rules()).text(), "rendered table after: " + history);
      assertEquals(fullRender.text(), keptRender.text(), "table rendered with kept elements after: " + history);
      applier.apply(keptRender);
      FakeNftables fresh = new FakeNftables();
      new RulesetApplier(fresh).apply(fullRender);
      assertEquals(fresh.dump(), kernel.dump(), "kernel table after: " + history);
      movedSets += moved(kept.rules(), NodeRules.Direction::approved);
      movedPeerSets += moved(kept.rules(), NodeRules.Direction::np);
      assertEquals(full.localIdentity(), kept.localIdentity(), "local pods after: " + history);
      assertEquals(full.podIps(), kept.podIps(), "addresses seen after: " + history);
      assertEquals(full.announcedInStatus(), kept.announcedInStatus(), "announced in status after: " + history);
      assertEquals(Set.copyOf(full.problems()), Set.copyOf(kept.problems()), "problems after: " + history);
      toldFull.forEach((claim, id) -> assertEquals(id, told.get(claim), "IP history of " + claim + " after: "
          + history));
    }
    return syncs - (calculator.fullReads() - before);
  }

  /** How many directions' sets (as {@code set} picks them) were moved by a difference this sync. */
  private static long moved(NodeRules rules, java.util.function.Function<NodeRules.Direction, Set<?>> set) {
    long n = 0;
    for (NodeRules.Group g : rules.groups()) {
      for (NodeRules.Direction d : List.of(g.ingress(), g.egress())) {
        if (set.apply(d) instanceof RectSet r && !(r.added().isEmpty() && r.removed().isEmpty())) {
          n++;
        }
      }
    }
    return n;
  }

  private String step(Random random) {
    int w = random.nextInt(WORKLOADS);
    int roll = random.nextInt(30);
    if (roll < 6) {
      return "add " + addPod(random, null);
    }
    if (pods.isEmpty()) {
      return "add " + addPod(random, null);
    }
    String key = pick(random, pods);
    Pod old = pods.get(key);
    if (roll < 10) {
      pods.remove(key);
      dirty.add(key);
      announced.remove(key);
      return "delete " + key;
    }
    if (roll < 12) {
      // deleted and created again under the same name before the sync: another address, maybe another node
      pods.remove(key);
      dirty.add(key);
      return "delete and re-add " + addPod(random, key);
    }
    if (roll < 16) {
      Map<String, String> labels = new LinkedHashMap<>(old.getMetadata().getLabels());
      labels.put("tier", random.nextBoolean() ? "a" : "b");
      return replace(key, new PodBuilder(old).editMetadata().withLabels(labels).endMetadata().build(),
          "relabel " + key + " tier=" + labels.get("tier"));
    }
    if (roll < 18) {
      String ip = ip(random);
      return replace(key, new PodBuilder(old).editStatus().withPodIP(ip).withPodIPs().endStatus().build(),
          "move " + key + " to " + ip);
    }
    if (roll < 19) {
      return replace(key, new PodBuilder(old).editStatus().withPhase(random.nextBoolean() ? "Succeeded" : "Failed")
          .endStatus().build(), "finish " + key);
    }
    if (roll < 20) {
      return replace(key, new PodBuilder(old).editStatus().withPodIP(null).withPodIPs().endStatus().build(),
          "address gone " + key);
    }
    if (roll < 21) {
      String odd = random.nextBoolean() ? "fd00::" + random.nextInt(5) : "10.1.0.999";
      return replace(key, new PodBuilder(old).editStatus().withPodIP(odd).withPodIPs().endStatus().build(),
          "odd address " + odd + " for " + key);
    }
    if (roll < 22) {
      String v4 = ip(random);
      return replace(key, new PodBuilder(old).editStatus().withPodIP(v4).withPodIPs(new PodIPBuilder().withIp(v4)
          .build(), new PodIPBuilder().withIp("fd00::" + random.nextInt(5)).build()).endStatus().build(),
          "dual stack " + key);
    }
    if (roll < 24) {
      // CNI ADD announced an address before the status has one (or a stale announcement goes away)
      if (announced.remove(key) != null) {
        return "announcement gone " + key;
      }
      String ip = ip(random);
      announced.put(key, ip);
      return "announce " + key + " at " + ip;
    }
    switch (roll) {
      case 24 -> {
        allowLists.put(ns(w) + "/w" + w, allowList(w, random));
        return "new AllowList for w" + w;
      }
      case 25 -> {
        String k = ns(w) + "/w" + w;
        if (identities.remove(k) == null) {
          identities.put(k, identity(w));
          return "restore identity w" + w;
        }
        return "delete identity w" + w;
      }
      case 26 -> {
        String k = ns(w) + "/np-w" + w;
        if (policies.remove(k) == null) {
          policies.put(k, policy(w, "t" + random.nextInt(2), random.nextBoolean() ? "a" : "b"));
          return "add NetworkPolicy " + k;
        }
        return "delete NetworkPolicy " + k;
      }
      case 27 -> {
        int n = random.nextInt(3);
        namespaces.put("ns-" + n, namespace(n, "t" + random.nextInt(2)));
        return "relabel namespace ns-" + n;
      }
      case 28 -> {
        // as the agent's informers do: the owner's version moves, then its pods are marked changed;
        // without its ReplicaSet a pod is filed under the ReplicaSet (no identity), with it under w
        String rsKey = ns(w) + "/" + rs(w);
        String what = replicaSets.remove(rsKey) == null ? "owner of w" + w + " back" : "owner of w" + w + " gone";
        if (what.endsWith("back")) {
          replicaSets.put(rsKey, replicaSet(w));
        }
        ownerVersions.bump(OwnerVersions.key(ns(w), "ReplicaSet", rs(w)));
        pods.keySet().stream().filter(pk -> pk.startsWith(rsKey + "-")).forEach(dirty::add);
        return what;
      }
      default -> {
        return "nothing";
      }
    }
  }

  private String replace(String key, Pod now, String what) {
    pods.put(key, now);
    dirty.add(key);
    return what;
  }

  private static String ip(Random random) {
    return "10.1.0." + (1 + random.nextInt(30));
  }

  /** A pod of a random workload (under {@code key}'s name if given), sometimes on this node, often pending. */
  private String addPod(Random random, String key) {
    int w = key == null ? random.nextInt(WORKLOADS) : Integer.parseInt(key.replaceAll("^.*/w(\\d+)-.*$", "$1"));
    String name = key == null ? rs(w) + "-" + serial++ : key.substring(key.indexOf('/') + 1);
    String ip = random.nextInt(6) == 0 ? null : ip(random);
    Pod p = new PodBuilder().withMetadata(new ObjectMetaBuilder().withNamespace(ns(w))
        .withName(name).withLabels(Map.of("app", "w" + w, "tier", random.nextBoolean() ? "a" : "b"))
        .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("apps/v1").withKind("ReplicaSet")
            .withName(rs(w)).withUid("rs-" + w).withController(true).build()).build())
        .withNewSpec().withNodeName(random.nextInt(3) == 0 ? NODE : "node-2").addNewContainer().withName("c")
        .addNewPort().withName("http").withContainerPort(8080 + random.nextInt(2)).endPort().endContainer()
        .endSpec().withNewStatus().withPodIP(ip).withPhase(ip == null ? "Pending" : "Running").endStatus().build();
    String k = ns(w) + "/" + name;
    pods.put(k, p);
    dirty.add(k);
    return k + " at " + ip;
  }

  private ClusterSnapshot snapshot() {
    return new ClusterSnapshot(List.copyOf(pods.values()), (ns, kind, name) -> kind.equals("ReplicaSet")
        ? Optional.<HasMetadata>ofNullable(replicaSets.get(ns + "/" + name)) : Optional.empty(),
        List.copyOf(identities.values()), List.copyOf(allowLists.values()), List.copyOf(policies.values()),
        List.of(), List.copyOf(namespaces.values()), List.of(), List.of(), List.of(), Mode.ENFORCE);
  }

  private static String ns(int w) {
    return "ns-" + w % 3;
  }

  private static String rs(int w) {
    return "w" + w + "-h";
  }

  private static ReplicaSet replicaSet(int w) {
    return new ReplicaSetBuilder().withMetadata(new ObjectMetaBuilder().withNamespace(ns(w)).withName(rs(w))
        .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("apps/v1").withKind("Deployment")
            .withName("w" + w).withUid("d-" + w).withController(true).build()).build()).build();
  }

  private static WorkloadIdentity identity(int w) {
    WorkloadIdentity wi = new WorkloadIdentity();
    wi.setMetadata(new ObjectMetaBuilder().withNamespace(ns(w)).withName("w" + w).build());
    wi.setSpec(new WorkloadIdentitySpec());
    wi.getSpec().kind = "Deployment";
    wi.getSpec().name = "w" + w;
    wi.getSpec().id = 1000 + w;
    return wi;
  }

  private static AllowList allowList(int w, Random random) {
    AllowList l = new AllowList();
    l.setMetadata(new ObjectMetaBuilder().withNamespace(ns(w)).withName("w" + w).build());
    l.setSpec(new AllowListSpec());
    l.getSpec().identity = 1000 + w;
    l.getSpec().revision = 1;
    l.getSpec().revisionSize = 1;
    l.getSpec().mode = random.nextInt(4) == 0 ? "monitor" : "enforce";
    l.getSpec().ingress = new ArrayList<>();
    l.getSpec().egress = new ArrayList<>();
    for (int k = 0; k < 3; k++) {
      l.getSpec().ingress.add(rule(1000 + random.nextInt(WORKLOADS), "8080"));
      l.getSpec().egress.add(rule(1000 + random.nextInt(WORKLOADS), "5432"));
    }
    // rules that overlap the identities' rectangles: a pod address as a CIDR, a port range
    if (random.nextBoolean()) {
      AllowListSpec.Rule one = rule(0, "8080");
      one.peerIdentity = null;
      one.peerCidr = "10.1.0." + (1 + random.nextInt(30)) + "/32";
      l.getSpec().ingress.add(one);
    }
    if (random.nextInt(3) == 0) {
      l.getSpec().egress.add(rule(1000 + random.nextInt(WORKLOADS), "5432-5433"));
    }
    return l;
  }

  private static Namespace namespace(int n, String team) {
    return new NamespaceBuilder().withNewMetadata().withName("ns-" + n).addToLabels("team", team).endMetadata()
        .build();
  }

  /**
   * Ingress from one tier in one team's namespaces and an ipBlock on the named port, and from the
   * same peers on a numbered port; egress to a tier and an ipBlock on the named port, and to the
   * tier on a port range: peers join and leave by pod and namespace labels, deletes and moves.
   */
  private static NetworkPolicy policy(int w, String team, String tier) {
    return new NetworkPolicyBuilder().withNewMetadata().withNamespace(ns(w)).withName("np-w" + w).endMetadata()
        .withNewSpec().withNewPodSelector().addToMatchLabels("app", "w" + w).endPodSelector()
        .addToPolicyTypes("Ingress").addNewIngress()
        .addNewFrom().withNewNamespaceSelector().addToMatchLabels("team", team).endNamespaceSelector()
        .withNewPodSelector().addToMatchLabels("tier", tier).endPodSelector().endFrom()
        .addNewFrom().withNewIpBlock().withCidr("10.1.0.0/27").addToExcept("10.1.0.8/30").endIpBlock().endFrom()
        .addNewPort().withProtocol("TCP").withPort(new IntOrString("http")).endPort().endIngress()
        .addNewIngress().addNewFrom().withNewNamespaceSelector().addToMatchLabels("team", team).endNamespaceSelector()
        .withNewPodSelector().addToMatchLabels("tier", tier).endPodSelector().endFrom()
        .addNewPort().withProtocol("TCP").withPort(new IntOrString(9000)).endPort().endIngress()
        .addToPolicyTypes("Egress").addNewEgress()
        .addNewTo().withNewPodSelector().addToMatchLabels("tier", tier).endPodSelector().endTo()
        .addNewTo().withNewIpBlock().withCidr("10.1.0.16/28").endIpBlock().endTo()
        .addNewPort().withProtocol("TCP").withPort(new IntOrString("http")).endPort().endEgress()
        .addNewEgress().addNewTo().withNewPodSelector().addToMatchLabels("tier", tier).endPodSelector().endTo()
        .addNewPort().withProtocol("TCP").withPort(new IntOrString(5432)).withEndPort(5433).endPort().endEgress()
        .endSpec().build();
  }

  private static <K> K pick(Random random, Map<K, ?> map) {
    List<K> keys = new ArrayList<>(map.keySet());
    return keys.get(random.nextInt(keys.size()));
  }
}
