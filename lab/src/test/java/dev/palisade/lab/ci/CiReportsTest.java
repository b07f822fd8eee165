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
}
