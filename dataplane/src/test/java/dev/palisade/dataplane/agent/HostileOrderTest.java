package dev.palisade.dataplane.agent;

import static dev.palisade.dataplane.agent.AgentObjects.allowList;
import static dev.palisade.dataplane.agent.AgentObjects.identity;
import static dev.palisade.dataplane.agent.AgentObjects.rule;
import static dev.palisade.dataplane.agent.AgentObjects.segmentationMode;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.palisade.dataplane.render.KernelTrace;
import dev.palisade.kernel.conntrack.FakeConntrack;
import dev.palisade.kernel.nft.FakeNftables;
import dev.palisade.kernel.nft.NftObject;
import dev.palisade.kernel.nft.Transaction;
import dev.palisade.model.Mode;
import dev.palisade.model.crd.AllowList;
import dev.palisade.model.crd.AllowListSpec;
import dev.palisade.model.crd.SegmentationMode;
import dev.palisade.model.crd.WorkloadIdentity;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The agent's compute-and-apply path driven through hostile event orders, deterministically
 * (seeded): pods before their owners, owners deleted under their pods, identities and AllowLists
 * deleted, corrupted and restored, addresses reused by a pod of another namespace while the old
 * pod's deletion is late, malformed and IPv6 addresses, agent restarts over the table the last one
 * left, and other tools deleting the table or one element. After every sync the (fake) kernel's
 * table is traced: no pod of the enforced namespace ever accepts a connection nobody approved, and
 * the one approved edge passes whenever its lists are in place.
 *
 * <p>Pods are dual-stack at random. The rules are IPv4 only, so the agent closes an enforced pod's
 * IPv6 addresses whole: the trace sends the attackers' and the outside's IPv6 to every enforced
 * pod's IPv6 address, and the pod's IPv6 out, and none may pass (never a bypass around the IPv4 rules).
 */
class HostileOrderTest {
  private static final String NODE = "node-1";
  private static final long WEB = 101;
  private static final long DB = 102;
  private static final long ATTACKER = 201;
  private static final String OUTSIDE = "192.0.2.7";
  private static final String OUTSIDE_V6 = "2001:db8::7";
  /** The IPv6 literals the trace sends: a pod's malformed one is no packet's address. */
  private static final java.util.regex.Pattern V6_PROBE = java.util.regex.Pattern.compile("fd00::[0-9a-f]{1,4}");

  /** The cluster as the informers would hold it: namespace/name -> object, per kind. */
  private final Map<String, Pod> pods = new LinkedHashMap<>();
  private final Map<String, ReplicaSet> replicaSets = new LinkedHashMap<>();
  private final Map<String, WorkloadIdentity> identities = new LinkedHashMap<>();
  private final Map<String, AllowList> allowLists = new LinkedHashMap<>();
  private final FakeNftables nft = new FakeNftables();
  private final FakeConntrack conntrack = new FakeConntrack();
  private NodeRulesCalculator calculator;
  /** As the agent's informers keep them: an owner's arrival or departure moves its version. */
  private OwnerVersions owners;
  private KernelSync kernel;
  private int podSerial;

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
  void noEnforcedPodIsEverOpened(long seed) {
    Random random = new Random(seed);
    restart();
    for (String w : List.of("web", "db")) {
      replicaSets.put("prod/" + w + "-1", replicaSet("prod", w));
      identities.put("prod/" + w, identity("prod", w, "Deployment", w.equals("web") ? WEB : DB));
    }
    replicaSets.put("dev/atk-1", replicaSet("dev", "atk"));
    identities.put("dev/atk", identity("dev", "atk", "Deployment", ATTACKER));
    allowLists.put("prod/web", webList());
    allowLists.put("prod/db", dbList());
    addPod("prod", "web", "10.1.0.1", "fd00::1", true);
    addPod("prod", "db", "10.1.0.2", "fd00::2", true);
    addPod("dev", "atk", "10.1.0.3", "fd00::3", true);
    syncAndCheck("start");
    List<String> steps = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      String step = hostileStep(random);
      steps.add(step);
      syncAndCheck(String.join(" | ", steps.subList(Math.max(0, steps.size() - 8), steps.size())));
    }
  }

  private String hostileStep(Random random) {
    int op = random.nextInt(18);
    String ip = "10.1.0." + (1 + random.nextInt(12)); // a small pool: addresses are reused often
    String workload = List.of("web", "db", "atk").get(random.nextInt(3));
    String ns = workload.equals("atk") ? "dev" : "prod";
    switch (op) {
      case 0, 1, 2 -> {
        // sometimes dual-stack, sometimes on another node
        String v6 = random.nextBoolean() ? "fd00::" + ip.substring(ip.lastIndexOf('.') + 1) : null;
        addPod(ns, workload, ip, v6, random.nextInt(4) != 0);
        return "add " + workload + " pod at " + ip + (v6 == null ? "" : " and " + v6);
      }
      case 3, 4 -> {
        // the old pod's deletion comes late: for a while two pods claim the address
        return pods.isEmpty() ? "nothing" : "delete pod " + pods.remove(pick(random, pods)).getMetadata().getName();
      }
      case 5 -> {
        String key = workload.equals("atk") ? "dev/atk-1" : "prod/" + workload + "-1";
        owners.bump(OwnerVersions.key(ns, "ReplicaSet", workload + "-1"));
        if (replicaSets.remove(key) == null) {
          replicaSets.put(key, replicaSet(ns, workload));
          return "restore ReplicaSet " + key;
        }
        return "delete ReplicaSet " + key + " under its pods";
      }
      case 6 -> {
        String key = ns + "/" + workload;
        if (identities.remove(key) == null) {
          identities.put(key, identity(ns, workload, "Deployment", workload.equals("web") ? WEB
              : workload.equals("db") ? DB : ATTACKER));
          return "restore identity " + key;
        }
        return "delete identity " + key;
      }
      case 7, 8 -> {
        String key = random.nextBoolean() ? "prod/web" : "prod/db";
        if (allowLists.remove(key) == null) {
          allowLists.put(key, key.endsWith("web") ? webList() : dbList());
          return "restore AllowList " + key;
        }
        return "delete AllowList " + key;
      }
      case 9 -> {
        String key = random.nextBoolean() ? "prod/web" : "prod/db";
        AllowList bad = key.endsWith("web") ? webList() : dbList();
        if (random.nextBoolean()) {
          bad.getSpec().mode = "enforcing";
        } else {
          bad.getSpec().ingress = new ArrayList<>(java.util.Arrays.asList((AllowListSpec.Rule) null));
        }
        allowLists.put(key, bad);
        return "corrupt AllowList " + key;
      }
      case 10 -> {
        AllowList open = dbList();
        open.getSpec().mode = "learn"; // a stale or forged list for an identity that has none
        open.getSpec().identity = 999;
        allowLists.put("prod/forged", open);
        return "an AllowList of an unknown identity";
      }
      case 11 -> {
        String bad = random.nextBoolean() ? "10.1.0.999" : "fd00::" + (1 + random.nextInt(9));
        addPod(ns, workload, bad, null, true);
        return "add " + workload + " pod at malformed or IPv6 " + bad;
      }
      case 12 -> {
        restart();
        return "agent restart";
      }
      case 13 -> {
        nft.run(new Transaction("inet", "palisade").delete(NftObject.Table.of()));
        kernel.verify();
        return "another tool deletes the table";
      }
      case 14 -> {
        String[] victim = dispatchElement(random);
        if (victim != null) {
          nft.run(new Transaction("inet", "palisade").deleteElements(victim[0], List.of(victim[1])));
        }
        kernel.verify();
        return "another tool deletes " + (victim == null ? "no element" : victim[1] + " from " + victim[0]);
      }
      case 15 -> {
        String key = random.nextBoolean() ? "prod/web" : "prod/db";
        AllowList stale = key.endsWith("web") ? webList() : dbList();
        stale.getSpec().mode = random.nextBoolean() ? "learn" : "monitor"; // written before prod was enforced, or edited
        allowLists.put(key, stale);
        return "AllowList " + key + " says " + stale.getSpec().mode + " in an enforced namespace";
      }
      case 16 -> {
        // a CNI or an API client wrote an address no packet can carry: the pod is skipped and told,
        // the node's other rules go on (an unreadable address must not fail every sync)
        String bad = List.of("fd00::zz", "::ffff:10.1.0.5", "fd00::1::2").get(random.nextInt(3));
        boolean only = random.nextBoolean();
        addPod(ns, workload, only ? bad : ip, only ? null : bad, true);
        return "add " + workload + " pod at " + (only ? "" : ip + " and ") + "malformed IPv6 " + bad;
      }
      default -> {
        return "nothing";
      }
    }
  }

  /** A random element of a dispatch map in the fake kernel: {map, key}, or null. */
  private String[] dispatchElement(Random random) {
    List<String[]> found = new ArrayList<>();
    String map = null;
    for (String line : nft.dump().split("\n")) {
      if (line.startsWith("  map ")) {
        map = line.substring(6, line.indexOf(" {"));
      } else if (line.startsWith("  ")  && !line.startsWith("    ")) {
        map = null;
      } else if (map != null && map.endsWith("_dispatch") && line.startsWith("    ")) {
        found.add(new String[] {map, line.strip().substring(0, line.strip().indexOf(' '))});
      }
    }
    return found.isEmpty() ? null : found.get(random.nextInt(found.size()));
  }

  /** A new agent process: fresh caches and applier, the kernel's table as the old one left it. */
  private void restart() {
    calculator = new NodeRulesCalculator(NODE, FailsafeBuilder.Config.OFF);
    owners = new OwnerVersions();
    kernel = new KernelSync(NODE, nft, conntrack);
  }

  private void syncAndCheck(String history) {
    NodeRulesCalculator.Result r = calculator.calculate(snapshot(), owners, Map.of(), (ip, pod, id) -> { });
    kernel.apply(r.rules());
    String table = nft.dump();
    List<String> attackers = new ArrayList<>(List.of(OUTSIDE));
    List<String> webs = new ArrayList<>();
    List<String> dbs = new ArrayList<>();
    for (Pod p : pods.values()) {
      String ip = p.getStatus().getPodIP();
      if (!ip.matches("10\\.1\\.0\\.\\d{1,2}")) {
        continue;
      }
      String w = p.getMetadata().getLabels().get("app");
      (w.equals("atk") ? attackers : w.equals("web") ? webs : dbs).add(ip);
    }
    for (Pod p : pods.values()) {
      String ip = p.getStatus().getPodIP();
      if (!p.getMetadata().getNamespace().equals("prod") || !NODE.equals(p.getSpec().getNodeName())
          || !ip.matches("10\\.1\\.0\\.\\d{1,2}")) {
        continue;
      }
      for (String a : attackers) {
        if (a.equals(ip)) {
          continue; // the same address: the newer claim is the pod the kernel has
        }
        for (int port : new int[] {80, 5432}) {
          if (KernelTrace.accepts(table, a, ip, "tcp", port)) {
            fail("enforced pod " + p.getMetadata().getName() + " (" + ip + ") accepts " + a + " -> :" + port
                + " after: " + history + "\n" + table);
          }
        }
      }
    }
    checkV6(table, history);
    boolean listsInPlace = valid("prod/web") && valid("prod/db") && identities.containsKey("prod/web")
        && identities.containsKey("prod/db") && replicaSets.containsKey("prod/web-1")
        && replicaSets.containsKey("prod/db-1");
    if (listsInPlace) {
      for (String w : webs) {
        for (String d : dbs) {
          if (!w.equals(d) && !attackers.contains(w) && !attackers.contains(d) && onlyClaim(w) && onlyClaim(d)) {
            assertTrue(KernelTrace.accepts(table, w, d, "tcp", 5432), "approved web " + w + " -> db " + d
                + ":5432 refused after: " + history + "\n" + table);
          }
        }
      }
    }
    assertFalse(r.rules().groups().isEmpty() && table.isEmpty(), "rules computed but no table");
  }

  /**
   * No IPv6 connection reaches or leaves a local pod of the enforced namespace: from the outside or
   * an attacker pod's IPv6 to the pod, and from the pod to the outside. The pod's IPv4 rules do not
   * speak for IPv6, so any IPv6 that passes is a way around them.
   */
  private void checkV6(String table, String history) {
    List<String> attackers = new ArrayList<>(List.of(OUTSIDE_V6));
    for (Pod p : pods.values()) {
      if (p.getMetadata().getLabels().get("app").equals("atk")) {
        attackers.addAll(v6Of(p));
      }
    }
    for (Pod p : pods.values()) {
      if (!p.getMetadata().getNamespace().equals("prod") || !NODE.equals(p.getSpec().getNodeName())) {
        continue;
      }
      for (String ip : v6Of(p)) {
        for (int port : new int[] {80, 5432}) {
          for (String a : attackers) {
            if (!a.equals(ip) && KernelTrace.accepts(table, a, ip, "tcp", port)) {
              fail("enforced pod " + p.getMetadata().getName() + " accepts " + a + " -> [" + ip + "]:" + port
                  + " over IPv6 after: " + history + "\n" + table);
            }
          }
          if (KernelTrace.accepts(table, ip, OUTSIDE_V6, "tcp", port)) {
            fail("enforced pod " + p.getMetadata().getName() + " reaches " + OUTSIDE_V6 + ":" + port + " from " + ip
                + " after: " + history + "\n" + table);
          }
        }
      }
    }
  }

  private boolean onlyClaim(String ip) {
    return pods.values().stream().filter(p -> ip.equals(p.getStatus().getPodIP())).count() == 1;
  }

  private boolean valid(String key) {
    AllowList l = allowLists.get(key);
    return l != null && "enforce".equals(l.getSpec().mode) && l.getSpec().ingress.stream().allMatch(x -> x != null);
  }

  private ClusterSnapshot snapshot() {
    SegmentationMode enforce = segmentationMode("prod", "prod", "enforce");
    List<Namespace> namespaces = List.of(namespace("prod"), namespace("dev"));
    return new ClusterSnapshot(List.copyOf(pods.values()),
        (ns, kind, name) -> kind.equals("ReplicaSet") ? Optional.<HasMetadata>ofNullable(replicaSets.get(ns + "/"
            + name)) : Optional.empty(),
        List.copyOf(identities.values()), List.copyOf(allowLists.values()), List.of(), List.of(enforce), namespaces,
        List.of(), List.of(), List.of(), Mode.LEARN);
  }

  /** {@code v6}: the pod's second address (dual-stack), or null. */
  private void addPod(String ns, String workload, String ip, String v6, boolean local) {
    String name = workload + "-1-" + (podSerial++);
    List<PodIP> ips = new ArrayList<>(List.of(new PodIP(ip)));
    if (v6 != null) {
      ips.add(new PodIP(v6));
    }
    pods.put(ns + "/" + name, new PodBuilder().withMetadata(new ObjectMetaBuilder().withNamespace(ns).withName(name)
        .withLabels(Map.of("app", workload)).withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("apps/v1")
            .withKind("ReplicaSet").withName(workload + "-1").withUid("rs-" + workload).withController(true).build())
        .build()).withNewSpec().withNodeName(local ? NODE : "node-2").endSpec().withNewStatus().withPodIP(ip)
        .withPodIPs(ips).withPhase("Running").endStatus().build());
  }

  /** The pod's IPv6 addresses a packet can carry (status.podIPs, the primary among them). */
  private static List<String> v6Of(Pod p) {
    return p.getStatus().getPodIPs().stream().map(PodIP::getIp).filter(a -> V6_PROBE.matcher(a).matches()).toList();
  }

  private static ReplicaSet replicaSet(String ns, String workload) {
    return new ReplicaSetBuilder().withMetadata(new ObjectMetaBuilder().withNamespace(ns).withName(workload + "-1")
        .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("apps/v1").withKind("Deployment")
            .withName(workload).withUid("d-" + workload).withController(true).build()).build()).build();
  }

  private static AllowList webList() {
    return allowList("prod", "web", WEB, List.of(), List.of(rule(DB, "5432")));
  }

  private static AllowList dbList() {
    return allowList("prod", "db", DB, List.of(rule(WEB, "5432")), List.of());
  }

  private static Namespace namespace(String name) {
    return new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build();
  }

  private static <K> K pick(Random random, Map<K, ?> map) {
    List<K> keys = new ArrayList<>(map.keySet());
    return keys.get(random.nextInt(keys.size()));
  }
}
