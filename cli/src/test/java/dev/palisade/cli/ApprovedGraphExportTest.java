package dev.palisade.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.palisade.lab.ci.BaselineReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

class ApprovedGraphExportTest {
  @TempDir Path dir;
  private static final String GRAPH = """
      {"revision":3,"edges":[
       {"source":"shop/Deployment/web","destination":"shop/Deployment/api","protocol":"TCP","port":9090,"status":"approved"},
       {"source":"shop/Deployment/api","destination":"shop/StatefulSet/db","protocol":"TCP","port":5432,"status":"approved",
        "approvedBy":"git:ApprovedGraph shop/shop"},
       {"source":"shop/Deployment/api","destination":"shop/Deployment/coupons","protocol":"TCP","port":7070,"status":"learned"},
       {"source":"world","destination":"shop/Deployment/web","protocol":"TCP","port":443,"status":"approved"},
       {"source":"shop/Deployment/web","destination":"pay/Deployment/gw","protocol":"TCP","port":443,"status":"approved"}]}
      """;

  @Test
  void theApprovedWorkloadEdgesIntoTheNamespaceWithWhereTheirApprovalCameFrom() throws Exception {
    String yaml = ApprovedGraphExport.render(JsonMapper.builder().build().readTree(GRAPH), "shop");
    assertEquals("""
        apiVersion: palisade.dev/v1alpha1
        kind: ApprovedGraph
        metadata:
          namespace: "shop"
          name: "approved"
        spec:
          edges:
          - from: "shop/Deployment/api"
            to: "shop/StatefulSet/db"
            port: 5432
            protocol: TCP
            provenance:
              source: "git:ApprovedGraph shop/shop"
          - from: "shop/Deployment/web"
            to: "shop/Deployment/api"
            port: 9090
            protocol: TCP
            provenance:
              source: "review page"
        """, yaml);
    // the export is a valid baseline for palisade ci
    Path f = dir.resolve("approved.yaml");
    Files.writeString(f, yaml);
    assertEquals(2, BaselineReader.read(List.of(f)).approved().size());
  }
}
