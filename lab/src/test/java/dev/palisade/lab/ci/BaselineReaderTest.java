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
}
