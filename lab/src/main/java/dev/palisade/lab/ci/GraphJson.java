package dev.palisade.lab.ci;

import java.util.List;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** DIR/graph.json: every finding as data, for tools that post-process a run. Pure. */
public final class GraphJson {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private GraphJson() {}

  public static String render(List<Finding> findings, int exitCode) {
    ObjectNode root = JSON.createObjectNode();
    root.put("exitCode", exitCode);
    ArrayNode edges = root.putArray("edges");
    for (Finding f : findings) {
      ObjectNode e = edges.addObject();
      e.put("from", f.edge().from());
      e.put("to", f.edge().to());
      e.put("port", f.edge().port());
      e.put("protocol", f.edge().protocol().name());
      e.put("verdict", f.verdict().label());
      if (f.observed() != null) {
        e.put("connected", f.observed().connected());
        e.put("failed", f.observed().failed());
        ArrayNode pods = e.putArray("sourcePods");
        f.observed().sourcePods().forEach(pods::add);
        e.put("firstBy", f.observed().firstBy());
      }
      if (f.baselineFile() != null) {
        e.put("baselineFile", f.baselineFile());
      }
    }
    return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
  }
}
