package dev.palisade.controller.api.endpoints;

import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;
import dev.palisade.controller.api.ApiException;
import dev.palisade.controller.api.ApiRequest;
import dev.palisade.controller.api.ApiResponse;
import dev.palisade.controller.api.Role;
import dev.palisade.controller.api.Router;
import dev.palisade.controller.graph.FlowGraph;
import dev.palisade.controller.review.GraphJson;
import dev.palisade.dataplane.agent.ClusterSnapshot;
import dev.palisade.dataplane.agent.FailsafeBuilder;
import dev.palisade.dataplane.agent.WhyExplainer;
import dev.palisade.dataplane.agent.WhyExplainer.End;
import dev.palisade.dataplane.agent.WhyExplainer.Explanation;
import dev.palisade.dataplane.agent.WhyExplainer.GraphEdge;
import dev.palisade.dataplane.render.AllowRect.Proto;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * {@code GET /v1/why?src=&dst=&port=&protocol=} (viewer): the verdict a NEW connection gets now
 * and what decided it, for {@code palisade why}. The verdict is {@link WhyExplainer}'s, which
 * runs the agent's own rule computation on what the cluster holds now (the caller reads it fresh
 * per call, as the agents' informers see it: a question asked after a change must see the change)
 * and the reviewed graph for the edge's status and the nearest approved edges.
 */
public final class WhyEndpoint {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final Supplier<ClusterSnapshot> cluster;
  private final Supplier<List<GraphEdge>> graph;
  private final FailsafeBuilder.Config failsafe;

  /**
   * @param cluster what the agents' informers hold, read now
   * @param graph the reviewed graph's edges with the status in force ({@link #edgesOf}), in key order
   */
  public WhyEndpoint(Supplier<ClusterSnapshot> cluster, Supplier<List<GraphEdge>> graph,
      FailsafeBuilder.Config failsafe) {
    this.cluster = cluster;
    this.graph = graph;
    this.failsafe = failsafe;
  }

  public Router addTo(Router router) {
    return router.add("GET", "/v1/why", Role.VIEWER, this::why);
  }

  ApiResponse why(ApiRequest r) {
    String src = required(r, "src");
    String dst = required(r, "dst");
    int port = port(required(r, "port"));
    Proto proto = protocol(r.param("protocol") == null ? "TCP" : r.param("protocol"));
    ClusterSnapshot s = cluster.get();
    Explanation e;
    try {
      End from = WhyExplainer.resolve(s, src);
      End to = WhyExplainer.resolve(s, dst);
      e = WhyExplainer.explain(s, failsafe, graph.get(), from, to, proto, port);
    } catch (IllegalArgumentException ex) {
      throw ApiException.badRequest(ex.getMessage());
    }
    return ApiResponse.json(200, JSON.writeValueAsString(toJson(e, src, dst, proto, port)));
  }

  /** The answer's JSON: verdict (allow|deny), decidedBy, reason, both ends, modes, nearest approved edges. */
  static ObjectNode toJson(Explanation e, String src, String dst, Proto proto, int port) {
    ObjectNode o = JSON.createObjectNode();
    o.put("verdict", e.verdict());
    o.put("decidedBy", e.decidedBy());
    o.put("reason", e.reason());
    o.put("edge", e.source().vertex() + " -> " + e.destination().vertex() + " " + port + "/" + proto.name());
    end(o.putObject("source"), src, e.source(), e.sourceMode());
    end(o.putObject("destination"), dst, e.destination(), e.destinationMode());
    o.put("port", port);
    o.put("protocol", proto.name());
    ArrayNode nodes = o.putArray("nodes");
    e.nodes().forEach(nodes::add);
    ArrayNode logs = o.putArray("logs");
    e.logs().forEach(logs::add);
    ArrayNode near = o.putArray("nearestApproved");
    e.nearestApproved().forEach(near::add);
    if (!e.allowed() || "mode monitor".equals(e.decidedBy())) {
      boolean edge = e.source().vertex().split("/").length == 3 && e.destination().vertex().split("/").length == 3;
      o.put("howToRequest", edge && !e.decidedBy().startsWith("NetworkPolicy")
          ? dev.palisade.controller.events.DropEvents.request(e.source().vertex() + " " + e.destination().vertex() + " "
              + port + "/" + proto.name()) + " (an approver decides it on the review page)"
          : e.decidedBy().startsWith("NetworkPolicy") ? "the NetworkPolicy's owners must allow it: kubectl describe "
              + "networkpolicy in the namespace of the isolated end" : "an address outside the cluster: ask a reviewer");
    }
    return o;
  }

  private static void end(ObjectNode o, String ref, End e, String mode) {
    o.put("ref", ref);
    o.put("ip", e.ip());
    o.put("vertex", e.vertex());
    if (e.node() != null) {
      o.put("node", e.node());
    }
    if (mode != null) {
      o.put("mode", mode);
    }
  }

  /** The edges as {@code GET /v1/graph} shows them (the status in force), in key order; pure, off the loop. */
  public static List<GraphEdge> edgesOf(GraphJson.Snapshot shown) {
    List<GraphJson.Row> rows = new ArrayList<>(shown.rows());
    rows.sort(java.util.Comparator.comparing(GraphJson.Row::edge, FlowGraph.KEY_ORDER));
    List<GraphEdge> out = new ArrayList<>(rows.size());
    for (GraphJson.Row row : rows) {
      var k = row.edge().key();
      out.add(new GraphEdge(k.source(), k.destination(), k.protocol().name(), k.port(), row.status()));
    }
    return out;
  }

  private static String required(ApiRequest r, String name) {
    String v = r.param(name);
    if (v == null || v.isBlank()) {
      throw ApiException.badRequest("query parameter '" + name + "' is required (src, dst, port, protocol)");
    }
    return v;
  }

  private static int port(String text) {
    try {
      int p = Integer.parseInt(text);
      if (p >= 1 && p <= 65535) {
        return p;
      }
    } catch (NumberFormatException e) {
      // fall through to the message
    }
    throw ApiException.badRequest("port must be a number 1..65535, not '" + text + "'");
  }

  private static Proto protocol(String text) {
    try {
      return Proto.valueOf(text.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("protocol must be TCP, UDP or SCTP, not '" + text + "'");
    }
  }
}
