package dev.palisade.controller.api.endpoints;

import dev.palisade.controller.api.ApiException;
import dev.palisade.controller.api.ApiRequest;
import dev.palisade.controller.api.ApiResponse;
import dev.palisade.controller.api.Role;
import dev.palisade.controller.api.Router;
import dev.palisade.controller.api.ViewerReads;
import dev.palisade.controller.export.DotExporter;
import dev.palisade.controller.export.GraphMlExporter;
import dev.palisade.controller.export.NameAddresses;
import dev.palisade.controller.export.NetworkPolicyExporter;
import dev.palisade.controller.graph.EdgeStatus;
import dev.palisade.controller.graph.FlowGraph;
import dev.palisade.controller.graph.FlowGraph.EdgeView;
import dev.palisade.controller.review.ModeRequest;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The graph as files (viewers). The controller's loop only copies: the graph's vertices and edge
 * values ({@link FlowGraph#picture}) and, for NetworkPolicy, the labels of the edges' ends; the
 * graph is built, sorted and written here, on the endpoint's thread, so a big export does not
 * hold up the agents' flow reports (issue 17).
 *
 * <pre>
 *  GET /v1/export/networkpolicy?namespace=NS[&status=approved,learned]   YAML (approved only by default)
 *  GET /v1/export/dot                                                     Graphviz DOT
 *  GET /v1/export/graphml                                                 GraphML
 * </pre>
 */
public final class ExportEndpoints {
  /** What an export reads of the controller; both calls run on its loop. */
  public interface Graph {
    FlowGraph.Picture picture();

    /** The stable labels of a workload vertex (NS/KIND/NAME), empty if unknown. */
    Map<String, String> labelsOf(String vertex);

    static Graph of(java.util.function.Supplier<FlowGraph.Picture> picture,
        java.util.function.Function<String, Map<String, String>> labelsOf) {
      return new Graph() {
        @Override
        public FlowGraph.Picture picture() {
          return picture.get();
        }

        @Override
        public Map<String, String> labelsOf(String vertex) {
          return labelsOf.apply(vertex);
        }
      };
    }
  }

  private final ViewerReads reads;
  private final Graph graph;
  /** How a NetworkPolicy export finds the current addresses of DNS names (off the loop). */
  private final NameAddresses.Lookup names;

  /** @param graph read through {@code reads}, which runs it on the controller's loop */
  public ExportEndpoints(ViewerReads reads, Graph graph, NameAddresses.Lookup names) {
    this.reads = reads;
    this.graph = graph;
    this.names = names;
  }

  public Router addTo(Router router) {
    return router
        .add("GET", "/v1/export/networkpolicy", Role.VIEWER, this::networkPolicy)
        .add("GET", "/v1/export/dot", Role.VIEWER, r -> ApiResponse.text(200, "text/vnd.graphviz; charset=utf-8",
            reads.answer("/v1/export/dot", graph::picture, p -> new DotExporter().export(p.graph()))))
        .add("GET", "/v1/export/graphml", Role.VIEWER, r -> ApiResponse.text(200,
            "application/graphml+xml; charset=utf-8",
            reads.answer("/v1/export/graphml", graph::picture, p -> new GraphMlExporter().export(p.graph()))));
  }

  private ApiResponse networkPolicy(ApiRequest r) {
    String ns = r.param("namespace");
    if (ns == null || !ModeRequest.DNS_LABEL.matcher(ns).matches()) {
      throw ApiException.badRequest("namespace=NS is required and must be a valid namespace name, not '" + ns + "'");
    }
    Set<EdgeStatus> statuses = statuses(r.param("status"));
    // edges and labels are copied in one step on the loop, so the export is of one moment; the
    // edges are sorted off it
    String yaml = reads.answer("/v1/export/networkpolicy", () -> {
      List<EdgeView> edges = graph.picture().edges();
      return new PolicyInput(edges, NetworkPolicyExporter.labelsAt(edges, graph::labelsOf));
    }, copy -> {
      List<EdgeView> sorted = copy.edges().stream().sorted(FlowGraph.KEY_ORDER).toList();
      // names have no place in NetworkPolicy: their current addresses are looked up here, off the
      // controller's loop (a slow resolver must not hold it), and written beside the name
      Map<String, List<String>> addresses = NameAddresses.resolve(NetworkPolicyExporter.namesIn(sorted, ns, statuses),
          names, Duration.ofSeconds(2));
      return new NetworkPolicyExporter(copy.labels()::get, addresses).yaml(sorted, ns, statuses);
    });
    return ApiResponse.text(200, "application/yaml; charset=utf-8", yaml);
  }

  /** {@code approved} when absent; {@code rejected} is never exported (it allows nothing). */
  private static Set<EdgeStatus> statuses(String param) {
    Set<EdgeStatus> statuses = EnumSet.noneOf(EdgeStatus.class);
    for (String s : (param == null ? "approved" : param).split(",")) {
      try {
        EdgeStatus st = EdgeStatus.valueOf(s.strip().toUpperCase(Locale.ROOT));
        if (st == EdgeStatus.REJECTED) {
          throw new IllegalArgumentException();
        }
        statuses.add(st);
      } catch (IllegalArgumentException e) {
        throw ApiException.badRequest("status must be approved and/or learned, not '" + s + "'");
      }
    }
    return statuses;
  }

  /** What a NetworkPolicy export reads of the controller: every edge, and the labels of the workloads at their ends. */
  private record PolicyInput(List<EdgeView> edges, Map<String, Map<String, String>> labels) {}
}
