package dev.palisade.lab.ci;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.palisade.model.Protocol;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The report writers against golden files (src/test/resources/ci), and the patch read back as a baseline. */
class CiReportsTest {
  private static final CiEdge WEB_API = EdgeClassifierTest.WEB_API;
  private static final CiEdge API_DB = EdgeClassifierTest.API_DB;
  private static final CiEdge API_COUPONS = EdgeClassifierTest.API_COUPONS;
  private static final CiEdge WEB_PAY = new CiEdge("shop/Deployment/web", "pay/Deployment/gateway", 443, Protocol.TCP);

  /** Every verdict once. */
  private static List<Finding> findings() {
    Baseline b = new Baseline(Map.of(WEB_API, "approved/shop.yaml", new CiEdge("shop/Deployment/web",
        "shop/Deployment/cache", 6379, Protocol.TCP), "approved/shop.yaml"), Map.of(WEB_PAY, "approved/pay.yaml"));
    return EdgeClassifier.classify(List.of(EdgeClassifierTest.ok(WEB_API), EdgeClassifierTest.failed(API_DB),
        EdgeClassifierTest.ok(API_COUPONS), EdgeClassifierTest.ok(WEB_PAY)), b);
  }

  private static String golden(String name) throws IOException {
    try (InputStream in = CiReportsTest.class.getResourceAsStream("/ci/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void markdownReport() throws IOException {
    assertEquals(golden("report.md"), MarkdownReport.render(findings(), 2));
  }

  @Test
  void junitReport() throws IOException {
    assertEquals(golden("junit.xml"), JunitReport.render(findings()));
  }

  @Test
  void patchHoldsOnlyTheNewEdges() throws IOException {
    assertEquals(golden("patch.yaml"), ApprovedGraphPatch.forNewEdges(findings(), "palisade ci run"));
  }

  @Test
  void graphJson() throws IOException {
    assertEquals(golden("graph.json"), GraphJson.render(findings(), 2));
  }

  @Test
  void thePatchAsBaselineApprovesExactlyTheNewEdges() {
    String patch = ApprovedGraphPatch.forNewEdges(findings(), "palisade ci run");
    Map<CiEdge, String> approved = new HashMap<>();
    BaselineReader.readText("patch.yaml", patch, approved, new HashMap<>());
    assertEquals(java.util.Set.of(API_COUPONS), approved.keySet());
  }

  @Test
  void thePatchCarriesOutsideEdgesInTheWorkloadsNamespaceAndReadsBack() {
    List<CiEdge> outside = List.of(
        new CiEdge("shop/Deployment/web", "dns:api.payments.example", 443, Protocol.TCP),
        new CiEdge("shop/Deployment/web", "203.0.113.0/24", 8443, Protocol.TCP),
        new CiEdge("world", "pay/Deployment/gateway", 8080, Protocol.TCP),
        new CiEdge("unknown", "pay/Deployment/gateway", 8080, Protocol.TCP));
    String patch = ApprovedGraphPatch.forNewEdges(EdgeClassifier.classify(
        outside.stream().map(e -> new ObservedEdge(e, 1, 0, List.of(), "traffic.yaml flows[0]")).toList(),
        Baseline.EMPTY), "palisade ci run");
    Map<CiEdge, String> approved = new HashMap<>();
    BaselineReader.readText("patch.yaml", patch, approved, new HashMap<>());
    assertEquals(java.util.Set.copyOf(outside.subList(0, 3)), approved.keySet(), patch);
    // one object per approving namespace: the workload's, when the server is outside
    assertEquals(List.of("  namespace: \"pay\"", "  namespace: \"shop\""),
        patch.lines().filter(l -> l.startsWith("  namespace:")).toList());
    org.junit.jupiter.api.Assertions.assertTrue(patch.contains("    to: \"dns:api.payments.example\"\n"), patch);
  }
}
