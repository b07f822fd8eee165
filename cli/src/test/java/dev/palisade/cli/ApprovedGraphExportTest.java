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
       {"source":"shop/Deployment/web","destination":"pay/Deployment/gw","protocol":"TCP","port":443,"status":"approved"},
       {"source":"shop/Deployment/web","destination":"dns:api.payments.example","protocol":"TCP","port":443,"status":"approved"},
       {"source":"shop/Deployment/web","destination":"dns:*.s3.example","protocol":"TCP","port":443,"status":"approved"},
       {"source":"shop/Deployment/web","destination":"dns:evil.example","protocol":"TCP","port":443,"status":"rejected"},
       {"source":"shop/Deployment/web","destination":"203.0.113.0/24","protocol":"TCP","port":8443,"status":"approved"},
       {"source":"198.51.100.20","destination":"shop/Deployment/web","protocol":"TCP","port":8080,"status":"approved"},
       {"source":"host","destination":"shop/Deployment/web","protocol":"TCP","port":8080,"status":"approved"},
       {"source":"pay/Deployment/gw","destination":"dns:bank.example","protocol":"TCP","port":443,"status":"approved"}]}
      """;

  @Test
  void theApprovedEdgesTheNamespaceApprovesWithWhereTheirApprovalCameFrom() throws Exception {
    String yaml = ApprovedGraphExport.render(JsonMapper.builder().build().readTree(GRAPH), "shop");
    assertEquals("""
        apiVersion: palisade.dev/v1alpha1
        kind: ApprovedGraph
        metadata:
          namespace: "shop"
          name: "approved"
        spec:
          edges:
          - from: "198.51.100.20"
            to: "shop/Deployment/web"
            port: 8080
            protocol: TCP
            provenance:
              source: "review page"
          - from: "shop/Deployment/api"
            to: "shop/StatefulSet/db"
            port: 5432
            protocol: TCP
            provenance:
              source: "git:ApprovedGraph shop/shop"
          - from: "shop/Deployment/web"
            to: "203.0.113.0/24"
            port: 8443
            protocol: TCP
            provenance:
              source: "review page"
          - from: "shop/Deployment/web"
            to: "dns:*.s3.example"
            port: 443
            protocol: TCP
            provenance:
              source: "review page"
          - from: "shop/Deployment/web"
            to: "dns:api.payments.example"
            port: 443
            protocol: TCP
            provenance:
              source: "review page"
          - from: "shop/Deployment/web"
            to: "shop/Deployment/api"
            port: 9090
            protocol: TCP
            provenance:
              source: "review page"
          - from: "world"
            to: "shop/Deployment/web"
            port: 443
            protocol: TCP
            provenance:
              source: "review page"
        """, yaml);
    // the export is a valid baseline for palisade ci
    Path f = dir.resolve("approved.yaml");
    Files.writeString(f, yaml);
    assertEquals(7, BaselineReader.read(List.of(f)).approved().size());
  }
}
