package dev.palisade.dataplane.agent;

import static dev.palisade.dataplane.agent.AgentObjects.rule;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.palisade.dataplane.apply.RulesetApplier;
import dev.palisade.dataplane.render.DesiredRuleset;
import dev.palisade.dataplane.render.ElementMemo;
import dev.palisade.dataplane.render.NodeRules;
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
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The agent's long-lived path (one calculator, one render memo, one applier that sends only the
 * changed parts, all keeping state from sync to sync) against a full recompute from scratch (a
 * fresh calculator, no memo, a fresh full write into an empty kernel), after every step of a
 * seeded random sequence of pod, label, identity, AllowList (valid or not), NetworkPolicy and namespace events.
 * Whatever the caches keep, the rules, the rendered table and the kernel's table must be exactly
 * those the full recompute gives: that is what lets each sync reuse what an event did not touch.
 */
class IncrementalEqualsFullTest {
  private static final String NODE = "node-1";
  private static final int WORKLOADS = 6;

  private final Map<String, Pod> pods = new LinkedHashMap<>();
  private final Map<String, ReplicaSet> replicaSets = new LinkedHashMap<>();
  private final Map<String, WorkloadIdentity> identities = new LinkedHashMap<>();
  private final Map<String, AllowList> allowLists = new LinkedHashMap<>();
  private final Map<String, NetworkPolicy> policies = new LinkedHashMap<>();
  private final Map<String, Namespace> namespaces = new LinkedHashMap<>();
  private int serial;

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5, 6})
  void incrementalEqualsFullRecomputeAfterEveryStep(long seed) {
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
    for (int i = 0; i < 20; i++) {
      addPod(random);
    }
    NodeRulesCalculator calculator = new NodeRulesCalculator(NODE, FailsafeBuilder.Config.OFF);
    ElementMemo memo = new ElementMemo();
    FakeNftables kernel = new FakeNftables();
    ChangedPartsApplier applier = new ChangedPartsApplier(kernel);
    List<String> steps = new ArrayList<>();
    for (int i = 0; i < 150; i++) {
      steps.add(step(random));
      String history = String.join(" | ", steps.subList(Math.max(0, steps.size() - 6), steps.size()));
      ClusterSnapshot s = snapshot();
      NodeRules kept = calculator.calculate(s, new OwnerVersions(), Map.of(), (ip, pod, id) -> { }).rules();
      NodeRules full = new NodeRulesCalculator(NODE, FailsafeBuilder.Config.OFF)
          .calculate(s, new OwnerVersions(), Map.of(), (ip, pod, id) -> { }).rules();
      assertEquals(full, kept, "rules after: " + history);
      DesiredRuleset keptRender = RulesetRenderer.render(kept, memo);
      DesiredRuleset fullRender = RulesetRenderer.render(full);
      assertEquals(fullRender.text(), keptRender.text(), "rendered table after: " + history);
      applier.apply(keptRender);
      FakeNftables fresh = new FakeNftables();
      new RulesetApplier(fresh).apply(fullRender);
      assertEquals(fresh.dump(), kernel.dump(), "kernel table after: " + history);
    }
  }

  private String step(Random random) {
    int w = random.nextInt(WORKLOADS);
    switch (random.nextInt(11)) {
      case 0, 1, 2 -> {
        return "add " + addPod(random);
      }
      case 3, 4 -> {
        if (pods.isEmpty()) {
          return "nothing";
        }
        String key = pick(random, pods);
        pods.remove(key);
        return "delete " + key;
      }
      case 5, 6 -> {
        if (pods.isEmpty()) {
          return "nothing";
        }
        String key = pick(random, pods);
        Pod old = pods.get(key);
        Map<String, String> labels = new LinkedHashMap<>(old.getMetadata().getLabels());
        labels.put("tier", random.nextBoolean() ? "a" : "b");
        pods.put(key, new PodBuilder(old).editMetadata().withLabels(labels).endMetadata().build());
        return "relabel " + key + " tier=" + labels.get("tier");
      }
      case 7 -> {
        AllowList l = allowList(w, random);
        if (random.nextInt(4) == 0) {
          // an edit the agent cannot read: the workload falls back to its mode with nothing
          // approved, and a kept reading of the list before must not survive it
          l.getSpec().ingress.get(0).ports = "not-a-port";
          allowLists.put(ns(w) + "/w" + w, l);
          return "invalid AllowList for w" + w;
        }
        allowLists.put(ns(w) + "/w" + w, l);
        return "new AllowList for w" + w;
      }
      case 8 -> {
        String key = ns(w) + "/w" + w;
        if (identities.remove(key) == null) {
          identities.put(key, identity(w));
          return "restore identity w" + w;
        }
        return "delete identity w" + w;
      }
      case 9 -> {
        String key = ns(w) + "/np-w" + w;
        if (policies.remove(key) == null) {
          policies.put(key, policy(w, "t" + random.nextInt(2), random.nextBoolean() ? "a" : "b"));
          return "add NetworkPolicy " + key;
        }
        return "delete NetworkPolicy " + key;
      }
      default -> {
        int n = random.nextInt(3);
        namespaces.put("ns-" + n, namespace(n, "t" + random.nextInt(2)));
        return "relabel namespace ns-" + n;
      }
    }
  }

  /** A pod of a random workload, sometimes on this node, at an address from a small pool (reuse is common). */
  private String addPod(Random random) {
    int w = random.nextInt(WORKLOADS);
    String ip = "10.1.0." + (1 + random.nextInt(30));
    String name = rs(w) + "-" + serial++;
    pods.put(ns(w) + "/" + name, new PodBuilder().withMetadata(new ObjectMetaBuilder().withNamespace(ns(w))
        .withName(name).withLabels(Map.of("app", "w" + w, "tier", random.nextBoolean() ? "a" : "b"))
        .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("apps/v1").withKind("ReplicaSet")
            .withName(rs(w)).withUid("rs-" + w).withController(true).build()).build())
        .withNewSpec().withNodeName(random.nextInt(3) == 0 ? NODE : "node-2").addNewContainer().withName("c")
        .addNewPort().withName("http").withContainerPort(8080 + random.nextInt(2)).endPort().endContainer()
        .endSpec().withNewStatus().withPodIP(ip).withPhase("Running").endStatus().build());
    return ns(w) + "/" + name + " at " + ip;
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

  /** An enforce (sometimes monitor) list approving a few random identities and a CIDR. */
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
    AllowListSpec.Rule cidr = new AllowListSpec.Rule();
    cidr.peerCidr = "192.168.0.0/16";
    cidr.protocol = "TCP";
    cidr.ports = "443";
    l.getSpec().egress.add(cidr);
    return l;
  }

  private static Namespace namespace(int n, String team) {
    return new NamespaceBuilder().withNewMetadata().withName("ns-" + n).addToLabels("team", team).endMetadata()
        .build();
  }

  /**
   * Ingress to w's pods on the named port from one tier in one team's namespaces, plus an ipBlock;
   * for even w also egress to one tier's named port in its namespace, and to an ipBlock's pods.
   */
  private static NetworkPolicy policy(int w, String team, String tier) {
    return new NetworkPolicyBuilder().withNewMetadata().withNamespace(ns(w)).withName("np-w" + w).endMetadata()
        .withNewSpec().withNewPodSelector().addToMatchLabels("app", "w" + w).endPodSelector()
        .addToPolicyTypes("Ingress").addNewIngress()
        .addNewFrom().withNewNamespaceSelector().addToMatchLabels("team", team).endNamespaceSelector()
        .withNewPodSelector().addToMatchLabels("tier", tier).endPodSelector().endFrom()
        .addNewFrom().withNewIpBlock().withCidr("10.1.0.0/27").addToExcept("10.1.0.8/30").endIpBlock().endFrom()
        .addNewPort().withProtocol("TCP").withPort(new IntOrString("http")).endPort().endIngress()
        .addToPolicyTypes(w % 2 == 0 ? "Egress" : "Ingress").addNewEgress()
        .addNewTo().withNewPodSelector().addToMatchLabels("tier", tier).endPodSelector().endTo()
        .addNewTo().withNewIpBlock().withCidr("10.1.0.16/28").endIpBlock().endTo()
        .addNewPort().withProtocol("TCP").withPort(new IntOrString("http")).endPort().endEgress().endSpec().build();
  }

  private static <K> K pick(Random random, Map<K, ?> map) {
    List<K> keys = new ArrayList<>(map.keySet());
    return keys.get(random.nextInt(keys.size()));
  }
}
