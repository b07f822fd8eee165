package dev.palisade.dataplane.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.dataplane.render.AllowRect;
import dev.palisade.dataplane.render.Interval;
import dev.palisade.dataplane.render.NodeRules;
import dev.palisade.dataplane.render.NodeRules.Enforcement;
import dev.palisade.model.Mode;
import dev.palisade.model.crd.SegmentationMode;
import dev.palisade.model.crd.SegmentationModeSpec;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * What the calculator keeps between syncs while its inputs are the same objects (the local pods'
 * reading and their modes, the AllowLists' policies, each NetworkPolicy rule's peers) must follow
 * every change of those inputs: one calculator lives through a sequence of single changes, and
 * after each its rules must show the change (the pod's mode, its NetworkPolicy peers) and equal a
 * fresh calculator's. A cache returning its last result when an input changed fails here.
 */
class KeptReadingsFollowChangesTest {
  private static final String NODE = "node-1";
  private static final String WEB = "10.2.0.1";

  private final Map<String, Pod> pods = new LinkedHashMap<>();
  private final Map<String, SegmentationMode> modes = new LinkedHashMap<>();
  private final Map<String, Namespace> namespaces = new LinkedHashMap<>();
  private final Map<String, NetworkPolicy> policies = new LinkedHashMap<>();

  /** One change between two syncs, and what the node's rules for web must then say. */
  private record Row(String what, Consumer<Map<String, Pod>> change, Predicate<NodeRules.Direction> web) {}

  @Test
  void eachChangeBetweenSyncsShowsInTheRulesOfTheKeptCalculator() {
    namespaces.put("shop", namespace("shop", null));
    namespaces.put("other", namespace("other", null));
    pod("shop", "web-1", WEB, NODE, "web");
    pod("other", "db-1", "10.2.0.10", "node-2", "db");
    pod("other", "db-2", "10.2.0.11", "node-2", "db");
    pod("shop", "api-1", "10.2.0.20", "node-2", "api");
    List<Row> rows = List.of(
        new Row("nothing set: the cluster default (learn) leaves web open", changed -> { },
            d -> d.enforcement() == Enforcement.OPEN && !d.npIsolated()),
        new Row("a SegmentationMode puts shop in monitor", changed -> modes.put("shop", mode("shop", "monitor")),
            d -> d.enforcement() == Enforcement.MONITOR),
        new Row("the SegmentationMode is replaced: enforce", changed -> modes.put("shop", mode("shop", "enforce")),
            d -> d.enforcement() == Enforcement.ENFORCE),
        new Row("the SegmentationMode goes, shop's annotation says monitor", changed -> {
          modes.clear();
          namespaces.put("shop", namespace("shop", "monitor"));
        }, d -> d.enforcement() == Enforcement.MONITOR),
        new Row("the annotation says learn", changed -> namespaces.put("shop", namespace("shop", "learn")),
            d -> d.enforcement() == Enforcement.OPEN),
        new Row("a remote pod comes: web's mode is as it was", changed -> changed.put("shop/api-2",
            pod("shop", "api-2", "10.2.0.21", "node-2", "api")), d -> d.enforcement() == Enforcement.OPEN),
        new Row("a NetworkPolicy lets db pods into web", changed -> policies.put("web", policy("db")),
            d -> d.npIsolated() && peers(d, "10.2.0.10") && peers(d, "10.2.0.11") && !peers(d, "10.2.0.20")),
        new Row("the NetworkPolicy is replaced: api pods instead", changed -> policies.put("web", policy("api")),
            d -> peers(d, "10.2.0.20") && peers(d, "10.2.0.21") && !peers(d, "10.2.0.10")),
        new Row("a db pod becomes api: it joins the peers", changed -> changed.put("other/db-2",
            pod("other", "db-2", "10.2.0.11", "node-2", "api")),
            d -> peers(d, "10.2.0.11") && !peers(d, "10.2.0.10")),
        new Row("an api pod goes: it leaves the peers", changed -> {
          pods.remove("shop/api-1");
          changed.put("shop/api-1", null);
        }, d -> !peers(d, "10.2.0.20") && peers(d, "10.2.0.21")),
        new Row("the NetworkPolicy goes: web is open again", changed -> policies.clear(),
            d -> !d.npIsolated() && d.enforcement() == Enforcement.OPEN));
    NodeRulesCalculator kept = new NodeRulesCalculator(NODE, FailsafeBuilder.Config.OFF);
    kept.calculate(snapshot(), new OwnerVersions(), Map.of(), (ip, pod, id) -> { }, PodDelta.WHOLE);
    for (Row row : rows) {
      long readingsBefore = kept.localReadings();
      Map<String, Pod> changed = new HashMap<>();
      row.change().accept(changed);
      ClusterSnapshot s = snapshot();
      NodeRules rules = kept.calculate(s, new OwnerVersions(), Map.of(), (ip, pod, id) -> { }, PodDelta.of(changed)).rules();
      NodeRules fresh = new NodeRulesCalculator(NODE, FailsafeBuilder.Config.OFF)
          .calculate(s, new OwnerVersions(), Map.of(), (ip, pod, id) -> { }).rules();
      assertEquals(fresh, rules, row.what());
      NodeRules.Direction web = rules.groups().stream().filter(g -> g.podIps().contains(WEB)).findFirst()
          .orElseThrow().ingress();
      assertTrue(row.web().test(web), row.what() + ": " + web);
      if (row.what().startsWith("a remote pod comes")) {
        // nothing the local pods are read from changed: the last reading is what this sync used
        assertEquals(readingsBefore, kept.localReadings(), row.what());
      }
    }
  }

  private static boolean peers(NodeRules.Direction d, String ip) {
    long a = Interval.parseIp(ip);
    return d.np().stream().map(AllowRect::peers).anyMatch(p -> p.contains(a));
  }

  private Pod pod(String ns, String name, String ip, String node, String app) {
    Pod p = new PodBuilder().withNewMetadata().withNamespace(ns).withName(name).addToLabels("app", app).endMetadata()
        .withNewSpec().withNodeName(node).endSpec().withNewStatus().withPodIP(ip).withPhase("Running").endStatus()
        .build();
    pods.put(ns + "/" + name, p);
    return p;
  }

  private static SegmentationMode mode(String ns, String mode) {
    SegmentationMode m = new SegmentationMode();
    m.setMetadata(new ObjectMetaBuilder().withNamespace(ns).withName(ns).build());
    m.setSpec(new SegmentationModeSpec());
    m.getSpec().mode = mode;
    return m;
  }

  private static Namespace namespace(String name, String modeAnnotation) {
    NamespaceBuilder b = new NamespaceBuilder().withNewMetadata().withName(name).endMetadata();
    if (modeAnnotation != null) {
      b.editMetadata().addToAnnotations("palisade.dev/mode", modeAnnotation).endMetadata();
    }
    return b.build();
  }

  /** web takes TCP 8080 from the pods of one app in every namespace. */
  private static NetworkPolicy policy(String fromApp) {
    return new NetworkPolicyBuilder().withNewMetadata().withNamespace("shop").withName("web").endMetadata()
        .withNewSpec().withNewPodSelector().addToMatchLabels("app", "web").endPodSelector()
        .addToPolicyTypes("Ingress").addNewIngress().addNewFrom().withNewNamespaceSelector().endNamespaceSelector()
        .withNewPodSelector().addToMatchLabels("app", fromApp).endPodSelector().endFrom()
        .addNewPort().withProtocol("TCP").withPort(new IntOrString(8080)).endPort().endIngress().endSpec().build();
  }

  private ClusterSnapshot snapshot() {
    return new ClusterSnapshot(new ArrayList<>(pods.values()), (ns, kind, name) -> Optional.empty(), List.of(),
        List.of(), new ArrayList<>(policies.values()), new ArrayList<>(modes.values()),
        new ArrayList<>(namespaces.values()), List.of(), List.of(), List.of(), Mode.LEARN);
  }
}
