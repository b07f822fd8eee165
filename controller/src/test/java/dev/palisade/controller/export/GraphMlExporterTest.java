package dev.palisade.controller.export;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.palisade.controller.graph.FlowGraph;
import dev.palisade.controller.graph.FlowGraph.EdgeView;
import java.io.StringReader;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.jgrapht.Graph;
import org.jgrapht.graph.DefaultEdge;
import org.jgrapht.graph.DirectedPseudograph;
import org.jgrapht.nio.Attribute;
import org.jgrapht.nio.AttributeType;
import org.jgrapht.nio.graphml.GraphMLImporter;
import org.junit.jupiter.api.Test;

class GraphMlExporterTest {
  @Test
  void schemaValidGraphMlKeepsTheEvidenceAsTypedAttributes() {
    FlowGraph flows = ShopGraph.build();
    String xml = new GraphMlExporter().export(flows.copy());

    Graph<String, DefaultEdge> back = new DirectedPseudograph<>(null, DefaultEdge::new, false);
    Map<DefaultEdge, Map<String, Attribute>> edgeAttrs = new HashMap<>();
    Map<String, Map<String, Attribute>> vertexAttrs = new HashMap<>();
    GraphMLImporter<String, DefaultEdge> importer = new GraphMLImporter<>();
    importer.setSchemaValidation(true);
    importer.setVertexFactory(id -> id.replace(':', '/'));
    importer.addEdgeAttributeConsumer((p, a) -> edgeAttrs.computeIfAbsent(p.getFirst(), k -> new HashMap<>())
        .put(p.getSecond(), a));
    importer.addVertexAttributeConsumer((p, a) -> vertexAttrs.computeIfAbsent(p.getFirst(), k -> new HashMap<>())
        .put(p.getSecond(), a));
    importer.importGraph(back, new StringReader(xml));

    assertEquals(flows.vertices(), back.vertexSet());
    Set<String> expected = new HashSet<>();
    for (EdgeView e : flows.edges()) {
      expected.add(e.key().source() + " " + e.key().destination() + " " + e.key().port() + " " + e.key().protocol()
          + " " + e.status() + " " + e.count() + " " + Instant.ofEpochMilli(e.firstSeen()) + " "
          + Instant.ofEpochMilli(e.lastSeen()));
    }
    Set<String> actual = new HashSet<>();
    for (DefaultEdge e : back.edgeSet()) {
      Map<String, Attribute> a = edgeAttrs.get(e);
      assertEquals(AttributeType.INT, a.get("port").getType());
      assertEquals(AttributeType.LONG, a.get("count").getType());
      actual.add(back.getEdgeSource(e) + " " + back.getEdgeTarget(e) + " " + a.get("port").getValue() + " "
          + a.get("protocol").getValue() + " " + a.get("status").getValue() + " " + a.get("count").getValue() + " "
          + a.get("firstSeen").getValue() + " " + a.get("lastSeen").getValue());
    }
    assertEquals(expected, actual);
    assertEquals(ShopGraph.API, vertexAttrs.get(ShopGraph.API).get("key").getValue());
    assertEquals("shop", vertexAttrs.get(ShopGraph.API).get("namespace").getValue());
    assertEquals("StatefulSet", vertexAttrs.get(ShopGraph.DB).get("kind").getValue());
    assertEquals("entity", vertexAttrs.get("world").get("kind").getValue());
  }

  @Test
  void theSameGraphExportsAsTheSameTextWhateverTheInsertionOrder() {
    FlowGraph a = ShopGraph.build();
    assertEquals(new GraphMlExporter().export(a.copy()),
        new GraphMlExporter().export(ShopGraph.rebuiltInReverse(a).copy()));
  }
}
