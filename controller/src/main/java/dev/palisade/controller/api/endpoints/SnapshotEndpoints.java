package dev.palisade.controller.api.endpoints;

import dev.palisade.controller.api.ApiException;
import dev.palisade.controller.api.ApiRequest;
import dev.palisade.controller.api.ApiResponse;
import dev.palisade.controller.api.Principal;
import dev.palisade.controller.api.Role;
import dev.palisade.controller.api.Router;
import dev.palisade.controller.api.ViewerReads;
import dev.palisade.controller.graph.FlowGraph.EdgeView;
import dev.palisade.controller.review.GraphDiff;
import dev.palisade.controller.review.SnapshotDecisions;
import dev.palisade.controller.review.SnapshotRequest;
import dev.palisade.controller.review.Snapshots;
import dev.palisade.model.crd.GraphSnapshotSpec;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Snapshots over HTTP: an approver keeps the graph's edges under a name (a decision:
 * {@link SnapshotDecisions}), and viewers list them and ask what changed since one. Viewers' reads
 * copy on the controller's loop and compare and write here.
 *
 * <pre>
 *  GET  /v1/snapshots                   viewer    names, times, edge counts
 *  POST /v1/snapshots                   approver  {@link SnapshotRequest}: {name, id?}
 *  GET  /v1/diff?since=NAME             viewer    {since, added, removed, changed}
 * </pre>
 */
public final class SnapshotEndpoints {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** What viewers read of the snapshots and the graph; every call runs on the controller's loop. */
  public interface Kept {
    List<Snapshots.Listed> listed();

    /** The edges a snapshot keeps (never changed once kept), empty if there is no such snapshot. */
    Optional<List<GraphSnapshotSpec.Edge>> edgesOf(String name);

    /** The graph's edges now, in no order. */
    List<EdgeView> edgesNow();

    static Kept of(java.util.function.Supplier<List<Snapshots.Listed>> listed,
        java.util.function.Function<String, Optional<List<GraphSnapshotSpec.Edge>>> edgesOf,
        java.util.function.Supplier<List<EdgeView>> edgesNow) {
      return new Kept() {
        @Override
        public List<Snapshots.Listed> listed() {
          return listed.get();
        }

        @Override
        public Optional<List<GraphSnapshotSpec.Edge>> edgesOf(String name) {
          return edgesOf.apply(name);
        }

        @Override
        public List<EdgeView> edgesNow() {
          return edgesNow.get();
        }
      };
    }
  }

  /** The controller's {@link SnapshotDecisions} (its steps wait for the loop). */
  @FunctionalInterface
  public interface Decider {
    SnapshotDecisions.Taken take(Principal who, SnapshotRequest request);
  }

  private final ViewerReads reads;
  private final Kept kept;
  private final Decider decider;

  public SnapshotEndpoints(ViewerReads reads, Kept kept, Decider decider) {
    this.reads = reads;
    this.kept = kept;
    this.decider = decider;
  }

  public Router addTo(Router router) {
    return router
        .add("GET", "/v1/snapshots", Role.VIEWER,
            r -> ApiResponse.json(200, reads.answer("/v1/snapshots", kept::listed, SnapshotEndpoints::listJson)))
        .add("POST", "/v1/snapshots", Role.APPROVER,
            r -> ApiResponse.json(200, decider.take(r.caller(), SnapshotRequest.read(r.body())).json()))
        .add("GET", "/v1/diff", Role.VIEWER, this::diff);
  }

  private static String listJson(List<Snapshots.Listed> listed) {
    ArrayNode a = JSON.createArrayNode();
    for (Snapshots.Listed s : listed) {
      ObjectNode o = a.addObject();
      o.put("name", s.name());
      o.put("taken", s.taken());
      o.put("takenBy", s.takenBy());
      o.put("edges", s.edges());
    }
    return JSON.writeValueAsString(a);
  }

  private ApiResponse diff(ApiRequest r) {
    String since = r.param("since");
    if (since == null || since.isBlank()) {
      throw ApiException.badRequest("since=SNAPSHOT is required");
    }
    // the loop copies both sides (the snapshot's edges are never changed once kept, the graph's are
    // immutable views); converting, sorting and comparing them is the viewer's thread's work
    return ApiResponse.json(200, reads.answer("/v1/diff", () -> new DiffSides(kept.edgesOf(since)
        .orElseThrow(() -> ApiException.notFound("no snapshot named '" + since + "'")), kept.edgesNow()),
        sides -> diffJson(since, sides.then(), SnapshotDecisions.snapshotEdges(sides.now()))));
  }

  /** What a diff reads of the controller: the snapshot's edges, and the graph's now in no order. */
  private record DiffSides(List<GraphSnapshotSpec.Edge> then, List<EdgeView> now) {}

  private static String diffJson(String since, List<GraphSnapshotSpec.Edge> then, List<GraphSnapshotSpec.Edge> now) {
    GraphDiff d = GraphDiff.between(then, now);
    ObjectNode root = JSON.createObjectNode();
    root.put("since", since);
    d.added().forEach(e -> root.withArray("added").add(JSON.valueToTree(e)));
    d.removed().forEach(e -> root.withArray("removed").add(JSON.valueToTree(e)));
    for (GraphDiff.Change c : d.changed()) {
      ObjectNode o = root.withArray("changed").addObject();
      o.set("before", JSON.valueToTree(c.before()));
      o.set("now", JSON.valueToTree(c.now()));
    }
    for (String k : List.of("added", "removed", "changed")) {
      root.withArray(k);
    }
    return JSON.writeValueAsString(root);
  }
}
