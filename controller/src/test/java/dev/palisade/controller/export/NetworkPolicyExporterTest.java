package dev.palisade.controller.export;

import static dev.palisade.controller.export.ShopGraph.API;
import static dev.palisade.controller.export.ShopGraph.DB;
import static dev.palisade.controller.export.ShopGraph.DNS;
import static dev.palisade.controller.export.ShopGraph.GATEWAY;
import static dev.palisade.controller.export.ShopGraph.PROM;
import static dev.palisade.controller.export.ShopGraph.WEB;
import static dev.palisade.controller.export.ShopGraph.WORKER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.controller.export.PolicyEvaluator.Endpoint;
import dev.palisade.controller.graph.EdgeStatus;
import dev.palisade.controller.graph.FlowEdge.EdgeKey;
import dev.palisade.controller.graph.FlowGraph;
import dev.palisade.controller.graph.FlowGraph.EdgeView;
import dev.palisade.model.Protocol;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class NetworkPolicyExporterTest {
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
  private final NetworkPolicyExporter exporter = new NetworkPolicyExporter(ShopGraph::labelsOf);

  static Stream<Arguments> statusFilters() {
    return Stream.of(Arguments.of(EnumSet.of(EdgeStatus.APPROVED)), Arguments.of(EnumSet.of(EdgeStatus.LEARNED)),
        Arguments.of(EnumSet.of(EdgeStatus.APPROVED, EdgeStatus.LEARNED)));
  }

  /** Every document of a YAML stream, read as a client would read a file given to kubectl apply. */
  private static List<HasMetadata> parse(String yaml) {
    Object o = SERIALIZATION.unmarshal(yaml);
    if (o == null) {
      return List.of();
    }
    if (o instanceof KubernetesList l) {
      return l.getItems();
    }
    if (o instanceof List<?> l) {
      return l.stream().map(HasMetadata.class::cast).toList();
    }
    return List.of((HasMetadata) o);
  }

  private static List<NetworkPolicy> policies(String yaml) {
    List<NetworkPolicy> out = new ArrayList<>();
    for (HasMetadata h : parse(yaml)) {
      assertTrue(h instanceof NetworkPolicy, "every document is a NetworkPolicy, not " + h.getClass());
      out.add((NetworkPolicy) h);
    }
    return out;
  }

  @ParameterizedTest
  @MethodSource("statusFilters")
  void yamlParsesBackIntoTheDraftedPolicies(Set<EdgeStatus> statuses) {
    FlowGraph g = ShopGraph.build();
    PolicyExport export = exporter.export(g.edges(), "shop", statuses);
    List<NetworkPolicy> parsed = policies(exporter.yaml(g.edges(), "shop", statuses));

    assertFalse(parsed.isEmpty());
    assertEquals(export.policies().size(), parsed.size());
    for (int i = 0; i < parsed.size(); i++) {
      NetworkPolicy drafted = export.policies().get(i).policy();
      assertEquals(SERIALIZATION.asJson(drafted), SERIALIZATION.asJson(parsed.get(i)));
      assertEquals("shop", parsed.get(i).getMetadata().getNamespace());
      assertEquals(1, parsed.get(i).getSpec().getPolicyTypes().size(), "one direction per policy");
      assertTrue(parsed.get(i).getMetadata().getName().matches("[a-z0-9]([-a-z0-9.]*[a-z0-9])?"),
          parsed.get(i).getMetadata().getName());
    }
    Set<String> names = new HashSet<>();
    parsed.forEach(p -> assertTrue(names.add(p.getMetadata().getName()), "duplicate " + p.getMetadata().getName()));
  }

  /**
   * The property that matters: with the exported policies applied, a connection that touches a
   * workload with a policy is allowed exactly when the graph has that edge with a wanted status.
   */
  @ParameterizedTest
  @MethodSource("statusFilters")
  void thePoliciesAllowExactlyTheExportedEdges(Set<EdgeStatus> statuses) {
    FlowGraph g = ShopGraph.build();
    List<NetworkPolicy> parsed = policies(exporter.yaml(g.edges(), "shop", statuses));
    PolicyEvaluator eval = new PolicyEvaluator(parsed);

    Set<String> wanted = new HashSet<>();
    Set<String> ports = new LinkedHashSet<>(List.of("TCP/1", "UDP/9090"));
    for (EdgeView e : g.edges()) {
      ports.add(e.key().protocol() + "/" + e.key().port());
      if (statuses.contains(e.status())) {
        wanted.add(e.key().source() + " " + e.key().destination() + " " + e.key().protocol() + "/" + e.key().port());
      }
    }
    List<String> endpoints = new ArrayList<>(ShopGraph.LABELS.keySet());
    endpoints.add(ShopGraph.WORLD);
    int restrictedChecked = 0;
    for (String src : endpoints) {
      for (String dst : endpoints) {
        for (String port : ports) {
          String[] pp = port.split("/");
          boolean allowed = eval.allowed(endpoint(src), endpoint(dst), pp[0], Integer.parseInt(pp[1]));
          boolean restricted = !eval.selecting(endpoint(src), "Egress").isEmpty()
              || !eval.selecting(endpoint(dst), "Ingress").isEmpty();
          String edge = src + " " + dst + " " + port;
          if (restricted) {
            restrictedChecked++;
            assertEquals(wanted.contains(edge), allowed, edge);
          } else {
            assertTrue(allowed, "no policy selects either end, so nothing may block " + edge);
            assertFalse(wanted.contains(edge) && inShop(src, dst), "an exported shop edge without a policy: " + edge);
          }
        }
      }
    }
    assertTrue(restrictedChecked > 100, "the scenario restricts enough pairs to mean something: " + restrictedChecked);
  }

  private static boolean inShop(String src, String dst) {
    return src.startsWith("shop/") || dst.startsWith("shop/");
  }

  private static Endpoint endpoint(String vertex) {
    Vertex v = Vertex.of(vertex);
    return v.isWorkload() ? new Endpoint(v.namespace(), ShopGraph.labelsOf(vertex)) : Endpoint.external();
  }

  @Test
  void aPeerInAnotherNamespaceIsSelectedByNamespaceNameAndPodLabels() {
    PolicyExport export = exporter.export(ShopGraph.build().edges(), "shop", EnumSet.of(EdgeStatus.APPROVED));
    NetworkPolicy webIngress = draft(export, WEB, "Ingress").policy();
    assertEquals(Map.of("app", "web"), webIngress.getSpec().getPodSelector().getMatchLabels());
    NetworkPolicyPeer gateway = webIngress.getSpec().getIngress().stream().flatMap(r -> r.getFrom().stream())
        .filter(p -> p.getPodSelector() != null).findFirst().orElseThrow();
    assertEquals(Map.of("app", "gateway"), gateway.getPodSelector().getMatchLabels());
    assertEquals(Map.of("kubernetes.io/metadata.name", "front"), gateway.getNamespaceSelector().getMatchLabels());

    NetworkPolicy apiIngress = draft(export, API, "Ingress").policy();
    NetworkPolicyPeer web = apiIngress.getSpec().getIngress().get(0).getFrom().get(0);
    assertEquals(Map.of("app", "web"), web.getPodSelector().getMatchLabels());
    assertEquals(null, web.getNamespaceSelector(), "a peer in the policy's own namespace needs no namespaceSelector");
    assertEquals(List.of(9090), apiIngress.getSpec().getIngress().get(0).getPorts().stream()
        .map(p -> p.getPort().getIntVal()).toList(), "9091 is only learned");
  }

  @Test
  void theWorldBecomesIpBlocksForBothFamilies() {
    PolicyExport export = exporter.export(ShopGraph.build().edges(), "shop", EnumSet.of(EdgeStatus.LEARNED));
    NetworkPolicy apiEgress = draft(export, API, "Egress").policy();
    var rule = apiEgress.getSpec().getEgress().stream()
        .filter(r -> r.getTo().stream().anyMatch(p -> p.getIpBlock() != null)).findFirst().orElseThrow();
    assertEquals(NetworkPolicyExporter.WORLD_CIDRS, rule.getTo().stream().map(p -> p.getIpBlock().getCidr()).toList());
    assertEquals(443, rule.getPorts().get(0).getPort().getIntVal());
  }

  @Test
  void eachRuleHasItsEvidenceInTheCommentsAboveIt() {
    FlowGraph g = ShopGraph.build();
    String yaml = exporter.yaml(g.edges(), "shop", EnumSet.of(EdgeStatus.APPROVED));
    EdgeView gw = g.edges().stream().filter(e -> e.key().source().equals(GATEWAY) && e.key().destination().equals(WEB))
        .findFirst().orElseThrow();
    List<String> lines = yaml.lines().toList();
    int header = lines.indexOf("  # from " + GATEWAY + ":");
    assertTrue(header > 0, yaml);
    String evidence = lines.get(header + 1);
    assertTrue(evidence.startsWith("  #   8080/TCP approved: " + gw.count() + " connections"), evidence);
    assertTrue(evidence.contains("first seen " + Instant.ofEpochMilli(gw.firstSeen())), evidence);
    assertTrue(evidence.contains("last seen " + Instant.ofEpochMilli(gw.lastSeen())), evidence);
    assertTrue(evidence.contains("e.g. " + gw.sourcePods().get(0) + " -> " + gw.destinationPods().get(0)), evidence);
    assertEquals("  - from:", lines.get(header + 2), "the comment sits right above its rule");
    assertTrue(lines.get(header + 5).contains("\"app\": \"gateway\""), lines.get(header + 5));
  }

  @Test
  void whatNetworkPolicyCannotSayIsLeftOutAndNamed() {
    FlowGraph g = ShopGraph.build();
    ShopGraph.edge(g, "host", DB, Protocol.TCP, 8008, EdgeStatus.APPROVED, 3, "", "shop/db-0");
    ShopGraph.edge(g, "unknown", WORKER, Protocol.TCP, 7000, EdgeStatus.APPROVED, 1, "", "shop/worker-1");
    ShopGraph.edge(g, "shop/Deployment/legacy", API, Protocol.TCP, 9090, EdgeStatus.APPROVED, 4, "shop/legacy-1", "");
    PolicyExport export = exporter.export(g.edges(), "shop", EnumSet.of(EdgeStatus.APPROVED));
    String yaml = PolicyYamlWriter.write(export);

    assertTrue(export.skipped().stream().anyMatch(s -> s.startsWith(WORKER + ": no Ingress policy")),
        "an ingress policy for worker would deny everything: " + export.skipped());
    assertTrue(export.skipped().stream().anyMatch(s -> s.startsWith("shop/Deployment/legacy: no Egress policy")),
        "legacy has no labels: " + export.skipped());
    assertTrue(draft(export, DB, "Ingress").notes().stream().anyMatch(n -> n.contains("from host 8008/TCP")));
    assertTrue(draft(export, API, "Ingress").notes().stream().anyMatch(n -> n.contains("from shop/Deployment/legacy")));
    assertTrue(yaml.contains("# not allowed here: from host 8008/TCP"), yaml);
    assertTrue(yaml.contains("# skipped: " + WORKER), yaml);
    for (NetworkPolicy p : policies(yaml)) {
      for (var r : p.getSpec().getIngress()) {
        r.getFrom().forEach(peer -> assertTrue(peer.getIpBlock() != null
            || !peer.getPodSelector().getMatchLabels().isEmpty(), "no empty selector in " + p.getMetadata().getName()));
      }
    }
  }

  @Test
  void aSelectorThatAlsoMatchesAnotherWorkloadIsFlagged() {
    FlowGraph g = ShopGraph.build();
    String canary = "shop/Deployment/web-canary";
    ShopGraph.edge(g, canary, API, Protocol.TCP, 9090, EdgeStatus.LEARNED, 1, "shop/web-canary-1", "");
    Map<String, Map<String, String>> labels = new java.util.HashMap<>(ShopGraph.LABELS);
    labels.put(canary, Map.of("app", "web", "track", "canary"));
    PolicyExport export = new NetworkPolicyExporter(v -> labels.getOrDefault(v, Map.of()))
        .export(g.edges(), "shop", EnumSet.of(EdgeStatus.APPROVED));
    assertTrue(draft(export, WEB, "Ingress").notes().stream().anyMatch(n -> n.contains("also matches " + canary)));
    assertFalse(draft(export, API, "Egress").notes().stream().anyMatch(n -> n.contains("also matches")),
        "api's labels are its own");
  }

  @Test
  void labelValuesThatLookLikeOtherTypesStayStrings() {
    FlowGraph g = new FlowGraph();
    ShopGraph.edge(g, WEB, API, Protocol.TCP, 80, EdgeStatus.APPROVED, 1, "", "");
    Map<String, Map<String, String>> labels = Map.of(
        WEB, Map.of("enabled", "true", "mode", "0755", "note", "a: b # c", "empty", ""),
        API, Map.of("version", "1.10", "quote", "say \"hi\"", "null", "null"));
    NetworkPolicyExporter ex = new NetworkPolicyExporter(labels::get);
    for (NetworkPolicy p : policies(ex.yaml(g.edges(), "shop", EnumSet.of(EdgeStatus.APPROVED)))) {
      String subject = p.getMetadata().getAnnotations().get(NetworkPolicyExporter.WORKLOAD_ANNOTATION);
      assertEquals(labels.get(subject), p.getSpec().getPodSelector().getMatchLabels());
    }
  }

  @Test
  void policiesFollowTheNamespaceAndTheStatusFilter() {
    List<EdgeView> edges = ShopGraph.build().edges();
    PolicyExport approved = exporter.export(edges, "shop", EnumSet.of(EdgeStatus.APPROVED));
    assertEquals(Set.of(WEB + " Ingress", API + " Ingress", DB + " Ingress", WEB + " Egress", API + " Egress"),
        subjects(approved));
    PolicyExport learned = exporter.export(edges, "shop", EnumSet.of(EdgeStatus.LEARNED));
    assertEquals(Set.of(API + " Ingress", WEB + " Egress", API + " Egress"), subjects(learned));
    PolicyExport kubeSystem = exporter.export(edges, "kube-system", EnumSet.of(EdgeStatus.APPROVED));
    assertEquals(Set.of(DNS + " Ingress"), subjects(kubeSystem));
    assertTrue(exporter.export(edges, "nowhere", EnumSet.of(EdgeStatus.APPROVED)).policies().isEmpty());
    assertEquals(List.of(), policies(exporter.yaml(edges, "nowhere", EnumSet.of(EdgeStatus.APPROVED))));
    assertTrue(draft(learned, API, "Ingress").ruleNotes().stream().flatMap(List::stream)
        .anyMatch(n -> n.contains("from " + PROM)));
  }

  @Test
  void rejectedEdgesAreNeverExported() {
    List<EdgeView> edges = ShopGraph.build().edges();
    assertThrows(IllegalArgumentException.class,
        () -> exporter.export(edges, "shop", EnumSet.of(EdgeStatus.REJECTED, EdgeStatus.APPROVED)));
    assertThrows(IllegalArgumentException.class, () -> exporter.export(edges, "shop", EnumSet.noneOf(EdgeStatus.class)));
    FlowGraph g = new FlowGraph();
    g.restore(new EdgeKey(WEB, DB, Protocol.TCP, 5432), EdgeStatus.REJECTED, 9, 1, 2, 9, List.of(), List.of());
    assertTrue(exporter.export(g.edges(), "shop", EnumSet.allOf(EdgeStatus.class).stream()
        .filter(s -> s != EdgeStatus.REJECTED).collect(java.util.stream.Collectors.toSet())).policies().isEmpty());
  }

  private static Set<String> subjects(PolicyExport e) {
    Set<String> out = new HashSet<>();
    e.policies().forEach(d -> out.add(d.workload() + " " + d.policy().getSpec().getPolicyTypes().get(0)));
    return out;
  }

  private static PolicyExport.Draft draft(PolicyExport e, String workload, String type) {
    return e.policies().stream()
        .filter(d -> d.workload().equals(workload) && d.policy().getSpec().getPolicyTypes().contains(type))
        .findFirst().orElseThrow(() -> new AssertionError("no " + type + " policy for " + workload));
  }
}
