package dev.palisade.controller.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.controller.graph.FlowGraph;
import dev.palisade.controller.graph.FlowGraph.EdgeView;
import java.io.StringReader;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jgrapht.Graph;
import org.jgrapht.graph.DefaultEdge;
import org.jgrapht.graph.DirectedPseudograph;
import org.jgrapht.nio.Attribute;
import org.jgrapht.nio.dot.DOTImporter;
import org.junit.jupiter.api.Test;

class DotExporterTest {
  @Test
  void everyVertexAndEdgeReadsBackWithItsAttributes() {
    FlowGraph flows = ShopGraph.build();
    String dot = new DotExporter().export(flows.copy());

    Graph<String, DefaultEdge> back = new DirectedPseudograph<>(null, DefaultEdge::new, false);
    Map<DefaultEdge, Map<String, Attribute>> edgeAttrs = new HashMap<>();
    Map<String, Map<String, Attribute>> vertexAttrs = new HashMap<>();
    DOTImporter<String, DefaultEdge> importer = new DOTImporter<>();
    importer.setVertexFactory(id -> id);
    importer.addEdgeAttributeConsumer((p, a) -> edgeAttrs.computeIfAbsent(p.getFirst(), k -> new HashMap<>())
        .put(p.getSecond(), a));
    importer.addVertexAttributeConsumer((p, a) -> vertexAttrs.computeIfAbsent(p.getFirst(), k -> new HashMap<>())
        .put(p.getSecond(), a));
    importer.importGraph(back, new StringReader(dot));

    assertEquals(flows.vertices(), back.vertexSet(), "vertex ids are the vertex keys");
    Set<String> expected = new HashSet<>();
    for (EdgeView e : flows.edges()) {
      expected.add(e.key().source() + " " + e.key().destination() + " " + e.key().port() + " " + e.key().protocol()
          + " " + e.status() + " " + e.count());
    }
    Set<String> actual = new HashSet<>();
    for (DefaultEdge e : back.edgeSet()) {
      Map<String, Attribute> a = edgeAttrs.get(e);
      actual.add(back.getEdgeSource(e) + " " + back.getEdgeTarget(e) + " " + a.get("port").getValue() + " "
          + a.get("protocol").getValue() + " " + a.get("status").getValue() + " " + a.get("count").getValue());
    }
    assertEquals(expected, actual);
    assertEquals("web\\nshop/Deployment", vertexAttrs.get(ShopGraph.WEB).get("label").getValue());
    assertEquals("world", vertexAttrs.get("world").get("label").getValue());
  }

  @Test
  void statusesAreDrawnDifferently() {
    String dot = new DotExporter().export(ShopGraph.build().copy());
    List<String> lines = dot.lines().toList();
    String rejected = lines.stream().filter(l -> l.contains("status=\"REJECTED\"")).findFirst().orElseThrow();
    String learned = lines.stream().filter(l -> l.contains("status=\"LEARNED\"")).findFirst().orElseThrow();
    String approved = lines.stream().filter(l -> l.contains("status=\"APPROVED\"")).findFirst().orElseThrow();
    assertTrue(rejected.contains("color=\"red\""), rejected);
    assertTrue(learned.contains("style=\"dashed\""), learned);
    assertTrue(approved.contains("style=\"solid\"") && !approved.contains("red"), approved);
  }

  @Test
  void theSameGraphExportsAsTheSameTextWhateverTheInsertionOrder() {
    FlowGraph a = ShopGraph.build();
    FlowGraph b = ShopGraph.rebuiltInReverse(a);
    assertEquals(new DotExporter().export(a.copy()), new DotExporter().export(b.copy()));
  }
}
