package dev.palisade.lab.ci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.model.Protocol;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BaselineReaderTest {
  private static final String HEAD = "apiVersion: palisade.dev/v1alpha1\nkind: ApprovedGraph\n"
      + "metadata: {namespace: shop, name: g}\nspec:\n";

  @Test
  void readsApprovedAndRejectedEdgesWithTheirFile(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("a.yaml"), HEAD + "  edges:\n  - {from: shop/Deployment/web, to: shop/Deployment/api,"
        + " port: 8080, provenance: {source: palisade ci run, traffic: \"t.yaml flows[0]\"}}\n"
        + "  - {from: shop/Deployment/api, to: shop/StatefulSet/db, port: 53, protocol: UDP}\n"
        + "  rejected:\n  - {from: shop/Deployment/web, to: shop/StatefulSet/db, port: 5432}\n");
    Files.writeString(dir.resolve("notes.txt"), "not yaml, not read");
    Baseline b = BaselineReader.read(List.of(dir));
    assertEquals(2, b.approved().size());
    assertEquals(dir.resolve("a.yaml").toString(),
        b.approved().get(new CiEdge("shop/Deployment/web", "shop/Deployment/api", 8080, Protocol.TCP)));
    assertTrue(b.approved().containsKey(new CiEdge("shop/Deployment/api", "shop/StatefulSet/db", 53, Protocol.UDP)));
    assertTrue(b.rejected().containsKey(new CiEdge("shop/Deployment/web", "shop/StatefulSet/db", 5432, Protocol.TCP)));
  }

  @Test
  void anEmptyDirectoryApprovesNothing(@TempDir Path dir) {
    assertEquals(Baseline.EMPTY, BaselineReader.read(List.of(dir)));
  }

  private static String error(String text) {
    return assertThrows(CiInputException.class, () -> BaselineReader.readText("base/g.yaml", text,
        new java.util.HashMap<>(), new java.util.HashMap<>())).getMessage();
  }

  @Test
  void badInputNamesTheFileAndField() {
    assertEquals("base/g.yaml: spec.edges[0].port: must be a number 1..65535, not \"http\"",
        error(HEAD + "  edges:\n  - {from: shop/Deployment/web, to: shop/Deployment/api, port: http}\n"));
    assertEquals("base/g.yaml: spec.edges[0].to: workload must be NS/KIND/NAME, not 'shop/api'",
        error(HEAD + "  edges:\n  - {from: shop/Deployment/web, to: shop/api, port: 80}\n"));
    assertEquals("base/g.yaml: spec.edges[0].prot: unknown field (known: [from, port, protocol, provenance, to])",
        error(HEAD + "  edges:\n  - {from: shop/Deployment/web, to: shop/Deployment/api, port: 80, prot: TCP}\n"));
    assertEquals("base/g.yaml: kind: must be ApprovedGraph, not \"AllowList\"",
        error(HEAD.replace("ApprovedGraph", "AllowList") + "  edges: []\n"));
    assertEquals("base/g.yaml: spec.edges: must be a list (it may be empty: [])", error(HEAD + "  rejected: []\n"));
    assertTrue(error("spec: [unclosed\n").startsWith("base/g.yaml: not valid YAML: "));
    assertTrue(error(HEAD + "  edges: []\n---\n" + HEAD + "  edges: {}\n")
        .startsWith("base/g.yaml (document 2): spec.edges: "));
  }

  @Test
  void aMissingPathIsNamed() {
    CiInputException e = assertThrows(CiInputException.class, () -> BaselineReader.read(List.of(Path.of("no/such"))));
    assertEquals("--baseline no/such: no such file or directory", e.getMessage());
  }

  @Test
  void outsideEndsAreReadAsTheGraphSpellsThem(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("a.yaml"), HEAD + "  edges:\n"
        + "  - {from: shop/Deployment/web, to: \"dns:api.payments.example\", port: 443}\n"
        + "  - {from: shop/Deployment/web, to: \"dns:*.s3.example\", port: 443}\n"
        + "  - {from: shop/Deployment/web, to: 203.0.113.0/24, port: 8443}\n"
        + "  - {from: shop/Deployment/web, to: 203.0.113.9/32, port: 8443}\n"
        + "  - {from: world, to: shop/Deployment/web, port: 8080}\n");
    Baseline b = BaselineReader.read(List.of(dir));
    assertEquals(List.of(
            new CiEdge("shop/Deployment/web", "203.0.113.0/24", 8443, Protocol.TCP),
            new CiEdge("shop/Deployment/web", "203.0.113.9", 8443, Protocol.TCP),
            new CiEdge("shop/Deployment/web", "dns:*.s3.example", 443, Protocol.TCP),
            new CiEdge("shop/Deployment/web", "dns:api.payments.example", 443, Protocol.TCP),
            new CiEdge("world", "shop/Deployment/web", 8080, Protocol.TCP)),
        b.approved().keySet().stream().sorted().toList());
  }

  @Test
  void aMalformedNameOrCidrIsRefusedNamingTheField() {
    String edge = HEAD + "  edges:\n  - {from: shop/Deployment/web, to: \"%s\", port: 443}\n";
    assertEquals("base/g.yaml: spec.edges[0].to: '203.0.113.7/24' has host bits set; the network is 203.0.113.0/24"
        + " (an end is a workload NS/KIND/NAME, world, dns:NAME, dns:*.SUFFIX, an IPv4 address or a CIDR)",
        error(edge.formatted("203.0.113.7/24")));
    assertTrue(error(edge.formatted("203.0.113.300")).startsWith(
        "base/g.yaml: spec.edges[0].to: '203.0.113.300' is not an IPv4 address"));
    assertTrue(error(edge.formatted("dns:a..example")).startsWith(
        "base/g.yaml: spec.edges[0].to: 'a..example' is not a DNS name or *.NAME pattern"));
    assertTrue(error(edge.formatted("dns:Api.example")).startsWith(
        "base/g.yaml: spec.edges[0].to: 'dns:Api.example': write the name as dns:api.example"));
    assertTrue(error(HEAD + "  edges:\n  - {from: \"dns:api.example\", to: shop/Deployment/web, port: 443}\n")
        .startsWith("base/g.yaml: spec.edges[0].from: 'dns:api.example': a DNS name can only be a destination"));
    assertTrue(error(HEAD + "  rejected: []\n  edges:\n  - {from: world, to: 198.51.100.0/24, port: 443}\n")
        .startsWith("base/g.yaml: spec.edges[0].to: 'world' -> '198.51.100.0/24': one end must be a workload"));
  }
}
