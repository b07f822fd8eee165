package dev.palisade.controller.export;

import dev.palisade.controller.graph.EdgeStatus;
import dev.palisade.controller.graph.FlowGraph.EdgeView;
import java.io.StringWriter;
import java.io.Writer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jgrapht.Graph;
import org.jgrapht.nio.Attribute;
import org.jgrapht.nio.DefaultAttribute;
import org.jgrapht.nio.dot.DOTExporter;

/**
 * Renders the flow graph as Graphviz DOT for people to look at ({@code dot -Tsvg}). Vertex ids are
 * the vertex keys, quoted, so the text can be grepped for a workload. Edges carry port, protocol,
 * status and count as attributes; the status also picks colour and line style, so what is approved,
 * only learned, or rejected can be told apart at a glance.
 */
public final class DotExporter {
  public String export(Graph<String, EdgeView> graph) {
    StringWriter out = new StringWriter();
    export(graph, out);
    return out.toString();
  }

  public void export(Graph<String, EdgeView> graph, Writer out) {
    DOTExporter<String, EdgeView> dot = new DOTExporter<>(DotExporter::quotedId);
    dot.setGraphIdProvider(() -> "palisade");
    dot.setGraphAttributeProvider(() -> {
      Map<String, Attribute> a = new LinkedHashMap<>();
      a.put("rankdir", DefaultAttribute.createAttribute("LR"));
      return a;
    });
    dot.setVertexAttributeProvider(DotExporter::vertexAttributes);
    dot.setEdgeAttributeProvider(DotExporter::edgeAttributes);
    dot.exportGraph(SortedGraph.of(graph), out);
  }

  /** DOT accepts any double-quoted string as an id; vertex keys contain '/' so they must be quoted. */
  static String quotedId(String vertex) {
    return "\"" + vertex.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  private static Map<String, Attribute> vertexAttributes(String key) {
    Vertex v = Vertex.of(key);
    Map<String, Attribute> a = new LinkedHashMap<>();
    if (v.isWorkload()) {
      // Graphviz reads "\n" inside a quoted label as a line break.
      a.put("label", DefaultAttribute.createAttribute(v.name() + "\\n" + v.namespace() + "/" + v.kind()));
      a.put("shape", DefaultAttribute.createAttribute("box"));
      a.put("namespace", DefaultAttribute.createAttribute(v.namespace()));
      a.put("kind", DefaultAttribute.createAttribute(v.kind()));
    } else {
      a.put("label", DefaultAttribute.createAttribute(v.name()));
      a.put("shape", DefaultAttribute.createAttribute("ellipse"));
      a.put("kind", DefaultAttribute.createAttribute(v.kind()));
    }
    return a;
  }

  private static Map<String, Attribute> edgeAttributes(EdgeView e) {
    Map<String, Attribute> a = new LinkedHashMap<>();
    a.put("label", DefaultAttribute.createAttribute(e.key().port() + "/" + e.key().protocol() + " (" + e.count() + ")"));
    a.put("port", DefaultAttribute.createAttribute(e.key().port()));
    a.put("protocol", DefaultAttribute.createAttribute(e.key().protocol().name()));
    a.put("status", DefaultAttribute.createAttribute(e.status().name()));
    a.put("count", DefaultAttribute.createAttribute(e.count()));
    a.put("color", DefaultAttribute.createAttribute(color(e.status())));
    a.put("style", DefaultAttribute.createAttribute(e.status() == EdgeStatus.LEARNED ? "dashed" : "solid"));
    return a;
  }

  private static String color(EdgeStatus s) {
    return switch (s) {
      case APPROVED -> "darkgreen";
      case LEARNED -> "gray40";
      case REJECTED -> "red";
    };
  }
}
