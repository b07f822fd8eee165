package dev.palisade.controller.review;

import dev.palisade.controller.api.ApiException;
import dev.palisade.controller.api.ApiRequest;
import dev.palisade.controller.api.ApiResponse;
import dev.palisade.controller.api.Principal;
import dev.palisade.controller.api.Role;
import dev.palisade.controller.api.Router;
import dev.palisade.controller.api.ViewerReads;
import dev.palisade.controller.graph.FlowGraph.EdgeView;
import dev.palisade.model.crd.GraphSnapshotSpec;
import dev.palisade.model.crd.ReviewAuditSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Snapshots over HTTP: an approver keeps the graph's edges under a name (a decision, audited
 * first, as a mode is), and viewers list them and ask what changed since one. Registered by
 * {@link ReviewEndpoints}, over the same {@link ReviewEndpoints.Backend}.
 *
 * <pre>
 *  GET  /v1/snapshots                   viewer    names, times, edge counts
 *  POST /v1/snapshots                   approver  {@link SnapshotRequest}: {name, id?}
 *  GET  /v1/diff?since=NAME             viewer    {added, removed, changed}
 * </pre>
 */
final class SnapshotEndpoints {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SnapshotEndpoints.class);
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final ReviewEndpoints.Backend backend;
  private final AuditLog audit;
  private final Snapshots snapshots;
  private final ViewerReads reads;

  SnapshotEndpoints(ReviewEndpoints.Backend backend, AuditLog audit, Snapshots snapshots, ViewerReads reads) {
    this.backend = backend;
    this.audit = audit;
    this.snapshots = snapshots;
    this.reads = reads;
  }

  Router addTo(Router router) {
    return router
        .add("GET", "/v1/snapshots", Role.VIEWER,
            r -> ApiResponse.json(200, reads.answer("/v1/snapshots", snapshots::listed, SnapshotEndpoints::listJson)))
        .add("POST", "/v1/snapshots", Role.APPROVER, this::takeSnapshot)
        .add("GET", "/v1/diff", Role.VIEWER, this::diff);
  }

  /** The graph's edges now, sorted, as a snapshot keeps them (loop thread). */
  private List<GraphSnapshotSpec.Edge> currentEdges() {
    return snapshotEdges(backend.graph().edges());
  }

  /** Edges as a snapshot holds them, in the views' order; pure. */
  private static List<GraphSnapshotSpec.Edge> snapshotEdges(List<EdgeView> views) {
    List<GraphSnapshotSpec.Edge> out = new ArrayList<>(views.size());
    for (EdgeView v : views) {
      GraphSnapshotSpec.Edge e = new GraphSnapshotSpec.Edge();
      e.source = v.key().source();
      e.destination = v.key().destination();
      e.protocol = v.key().protocol().name();
      e.port = v.key().port();
      e.status = v.status().name().toLowerCase(Locale.ROOT);
      e.count = v.count();
      out.add(e);
    }
    return out;
  }

  private ApiResponse takeSnapshot(ApiRequest r) {
    SnapshotRequest req = SnapshotRequest.read(r.body());
    String name = req.name();
    String result = backend.onLoop(() -> {
      Optional<ReviewAuditSpec> earlier = auditedBefore(req);
      if (earlier.isPresent()) {
        Optional<GraphSnapshotSpec> kept = snapshots.get(name);
        if (kept.isPresent()) {
          return snapshotAnswer(name, kept.get()) + ",\"repeated\":true}";
        }
        // audited, then the process stopped (or the write failed) before it was kept: sent again
        // with its id, it is kept now under that entry, as a mode sent again is written; a second
        // decision entry would count one decision twice. When the log says its write failed, a
        // snapshot-kept entry (no request id) says it is kept now, written first as a decision's is
        long seq = earlier.get().seq;
        List<GraphSnapshotSpec.Edge> edges = currentEdges();
        if (audit.lastValue(AuditLog.SNAPSHOT, name).isEmpty()) {
          try {
            audit.append(r.caller(), AuditLog.SNAPSHOT_KEPT, name, null, edges.size() + " edges");
          } catch (RuntimeException ex) {
            throw new ApiException(503, "decision #" + seq + " is audited but the audit log could not be written ("
                + ex.getMessage() + "); snapshot '" + name + "' was not kept, send the request again");
          }
        }
        return snapshotAnswer(name, keep(r.caller(), name, edges, "decision #" + seq + " is audited but "))
            + ",\"repeated\":true}";
      }
      try {
        Snapshots.checkName(name, snapshots.all());
      } catch (IllegalArgumentException e) {
        throw ApiException.badRequest(e.getMessage());
      }
      List<GraphSnapshotSpec.Edge> edges = currentEdges();
      // audited first, as a mode is: a snapshot that exists is always in the log; one whose write
      // fails gets a second entry saying it was not kept
      try {
        audit.append(r.caller(), AuditLog.SNAPSHOT, name, null, edges.size() + " edges", req.id());
      } catch (RuntimeException ex) {
        throw new ApiException(503, "the audit log could not be written (" + ex.getMessage() + "); snapshot '" + name
            + "' was not kept, send the request again");
      }
      return snapshotAnswer(name, keep(r.caller(), name, edges, "")) + "}";
    });
    return ApiResponse.json(200, result);
  }

  /**
   * Writes a snapshot the log says is kept; if the write fails, a snapshot-failed entry says it is
   * not (503, {@code context} leading the reason).
   */
  private GraphSnapshotSpec keep(Principal who, String name, List<GraphSnapshotSpec.Edge> edges, String context) {
    try {
      return snapshots.take(name, who.name(), edges);
    } catch (RuntimeException ex) {
      try {
        audit.append(who, AuditLog.SNAPSHOT_FAILED, name, edges.size() + " edges", null);
      } catch (RuntimeException again) {
        ex.addSuppressed(again);
        LOG.error("snapshot {} is audited but was not kept, and that could not be audited: {}", name, ex.toString());
      }
      throw new ApiException(503, context + "snapshot '" + name + "' could not be written (" + ex.getMessage()
          + "); it was not kept, send the request again");
    }
  }

  /**
   * The audit entry of the snapshot a request with this id already decided (its answer was lost,
   * or it was never kept), or empty when the id is new.
   *
   * @throws ApiException 409 when the id was used for another decision
   */
  private Optional<ReviewAuditSpec> auditedBefore(SnapshotRequest req) {
    Optional<ReviewAuditSpec> earlier = audit.byRequest(req.id());
    earlier.ifPresent(e -> {
      if (!AuditLog.SNAPSHOT.equals(e.action) || !req.name().equals(e.target)) {
        throw RequestId.usedBy(req.id(), e);
      }
    });
    return earlier;
  }

  private static String snapshotAnswer(String name, GraphSnapshotSpec s) {
    return "{\"name\":" + quote(name) + ",\"taken\":" + quote(s.taken) + ",\"edges\":" + s.edges.size();
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
    return ApiResponse.json(200, reads.answer("/v1/diff", () -> {
      GraphSnapshotSpec s = snapshots.get(since)
          .orElseThrow(() -> ApiException.notFound("no snapshot named '" + since + "'"));
      return new DiffSides(s.edges == null ? List.of() : s.edges, backend.graph().edgeViews());
    }, sides -> diffJson(since, sides.then(), snapshotEdges(sides.now()))));
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

  private static String quote(String s) {
    return dev.palisade.controller.api.JsonText.quote(s);
  }
}
