package dev.palisade.controller.export;

import dev.palisade.controller.graph.FlowGraph.EdgeView;
import java.io.StringWriter;
import java.io.Writer;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jgrapht.Graph;
import org.jgrapht.nio.Attribute;
import org.jgrapht.nio.AttributeType;
import org.jgrapht.nio.DefaultAttribute;
import org.jgrapht.nio.graphml.GraphMLExporter;
import org.jgrapht.nio.graphml.GraphMLExporter.AttributeCategory;

/**
 * Renders the flow graph as GraphML, for tools that analyse graphs (Gephi, yEd, networkx). Unlike
 * the DOT export it keeps all the evidence as typed attributes: port, protocol, status, count,
 * violations and first/last seen, so a tool can filter or weight by them.
 *
 * <p>GraphML ids must be XML name tokens, which have no '/', so a vertex's id is its key with '/'
 * read as ':' ({@code shop:Deployment:web}); namespaces, kinds and names hold no ':', so the id
 * still names one vertex, and the key itself is kept in the {@code key} attribute.
 */
public final class GraphMlExporter {
  public String export(Graph<String, EdgeView> graph) {
    StringWriter out = new StringWriter();
    export(graph, out);
    return out.toString();
  }

  public void export(Graph<String, EdgeView> graph, Writer out) {
    Graph<String, EdgeView> sorted = SortedGraph.of(graph);
    // Edge ids follow the sorted order, so the same graph always gets the same ids.
    Map<EdgeView, String> edgeIds = new HashMap<>();
    for (EdgeView e : sorted.edgeSet()) {
      edgeIds.put(e, "e" + edgeIds.size());
    }
    GraphMLExporter<String, EdgeView> ml = new GraphMLExporter<>(GraphMlExporter::nodeId);
    ml.setEdgeIdProvider(edgeIds::get);
    ml.registerAttribute("key", AttributeCategory.NODE, AttributeType.STRING);
    ml.registerAttribute("label", AttributeCategory.NODE, AttributeType.STRING);
    ml.registerAttribute("namespace", AttributeCategory.NODE, AttributeType.STRING);
    ml.registerAttribute("kind", AttributeCategory.NODE, AttributeType.STRING);
    ml.registerAttribute("port", AttributeCategory.EDGE, AttributeType.INT);
    ml.registerAttribute("protocol", AttributeCategory.EDGE, AttributeType.STRING);
    ml.registerAttribute("status", AttributeCategory.EDGE, AttributeType.STRING);
    ml.registerAttribute("count", AttributeCategory.EDGE, AttributeType.LONG);
    ml.registerAttribute("violations", AttributeCategory.EDGE, AttributeType.LONG);
    ml.registerAttribute("firstSeen", AttributeCategory.EDGE, AttributeType.STRING);
    ml.registerAttribute("lastSeen", AttributeCategory.EDGE, AttributeType.STRING);
    ml.setVertexAttributeProvider(GraphMlExporter::vertexAttributes);
    ml.setEdgeAttributeProvider(GraphMlExporter::edgeAttributes);
    ml.exportGraph(sorted, out);
  }

  static String nodeId(String vertex) {
    return vertex.replace('/', ':');
  }

  private static Map<String, Attribute> vertexAttributes(String key) {
    Vertex v = Vertex.of(key);
    Map<String, Attribute> a = new LinkedHashMap<>();
    a.put("key", DefaultAttribute.createAttribute(key));
    a.put("label", DefaultAttribute.createAttribute(v.name()));
    if (v.isWorkload()) {
      a.put("namespace", DefaultAttribute.createAttribute(v.namespace()));
    }
    a.put("kind", DefaultAttribute.createAttribute(v.kind()));
    return a;
  }

  private static Map<String, Attribute> edgeAttributes(EdgeView e) {
    Map<String, Attribute> a = new LinkedHashMap<>();
    a.put("port", DefaultAttribute.createAttribute(e.key().port()));
    a.put("protocol", DefaultAttribute.createAttribute(e.key().protocol().name()));
    a.put("status", DefaultAttribute.createAttribute(e.status().name()));
    a.put("count", DefaultAttribute.createAttribute(e.count()));
    a.put("violations", DefaultAttribute.createAttribute(e.violations()));
    a.put("firstSeen", DefaultAttribute.createAttribute(instant(e.firstSeen())));
    a.put("lastSeen", DefaultAttribute.createAttribute(instant(e.lastSeen())));
    return a;
  }

  /** ISO-8601, which both people and tools read; 0 means the graph never saw the edge in a flow. */
  static String instant(long epochMillis) {
    return epochMillis <= 0 ? "" : Instant.ofEpochMilli(epochMillis).toString();
  }
}
