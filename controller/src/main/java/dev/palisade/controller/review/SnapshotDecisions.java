package dev.palisade.controller.review;

import dev.palisade.controller.api.ApiException;
import dev.palisade.controller.api.Principal;
import dev.palisade.controller.api.ViewerReads;
import dev.palisade.controller.graph.FlowGraph.EdgeView;
import dev.palisade.model.crd.GraphSnapshotSpec;
import dev.palisade.model.crd.ReviewAuditSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * An approver keeps the graph's edges under a name ({@code POST /v1/snapshots}): a decision,
 * audited first as a mode is. It takes three steps so the controller's loop never waits for the
 * object's write:
 *
 * <pre>
 *  loop:      check the name and the request id; copy the edges (immutable views, no conversion);
 *             the audit entry (the commit point); the name reserved
 *  caller:    the edges converted and sorted; the object created, annotated with the decision's
 *             entry, and read back when the create's answer was lost (a stored one is kept)
 *  loop:      kept (listed from now on), or the name freed and a snapshot-failed entry
 * </pre>
 *
 * A request sent again with its id is that decision: answered from the snapshot kept, or, when
 * the log says it was never kept (a failed write, a process killed between the steps), written now
 * under the same entry.
 */
public final class SnapshotDecisions {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SnapshotDecisions.class);

  /** What the approver is answered. */
  public record Taken(String name, String taken, int edges, boolean repeated) {
    public String json() {
      return "{\"name\":" + quote(name) + ",\"taken\":" + quote(taken) + ",\"edges\":" + edges
          + (repeated ? ",\"repeated\":true}" : "}");
    }
  }

  private final ViewerReads.Loop loop;
  private final AuditLog audit;
  private final Snapshots snapshots;
  private final Supplier<List<EdgeView>> edges;

  /**
   * @param loop runs a step on the controller's loop and waits for it
   * @param edges the graph's edges in no order (loop thread)
   */
  public SnapshotDecisions(ViewerReads.Loop loop, AuditLog audit, Snapshots snapshots,
      Supplier<List<EdgeView>> edges) {
    this.loop = loop;
    this.audit = audit;
    this.snapshots = snapshots;
    this.edges = edges;
  }

  /** The first step's outcome: an answer already (a repeat of a kept one), or what to write. */
  private record Begun(Taken answer, List<EdgeView> edges, long decision, boolean repeated) {}

  /** On the caller's thread; its loop steps wait for the loop. @throws ApiException 400, 409, 503 */
  public Taken take(Principal who, SnapshotRequest req) {
    Begun begun = loop.call(() -> begin(who, req));
    if (begun.answer() != null) {
      return begun.answer();
    }
    Snapshots.Written written;
    try {
      List<GraphSnapshotSpec.Edge> converted = snapshotEdges(begun.edges().stream()
          .sorted(dev.palisade.controller.graph.FlowGraph.KEY_ORDER).toList());
      written = snapshots.write(req.name(), who.name(), converted, begun.decision());
    } catch (RuntimeException unexpected) {
      // the name is reserved until the loop hears how the write ended, whatever ended it
      written = new Snapshots.Written.Failed(unexpected, true);
    }
    Snapshots.Written ended = written;
    return loop.call(() -> finish(who, req.name(), begun, ended));
  }

  private Begun begin(Principal who, SnapshotRequest req) {
    String name = req.name();
    Optional<ReviewAuditSpec> earlier = audit.byRequest(req.id());
    if (earlier.isPresent()) {
      ReviewAuditSpec e = earlier.get();
      if (!AuditLog.SNAPSHOT.equals(e.action) || !name.equals(e.target)) {
        throw RequestId.usedBy(req.id(), e);
      }
      Optional<GraphSnapshotSpec> kept = snapshots.get(name);
      if (kept.isPresent()) {
        long by = snapshots.decisionOf(name);
        // an object that names no decision is the log's when the log says the name is kept
        if (by == e.seq || by == 0 && audit.lastValue(AuditLog.SNAPSHOT, name).isPresent()) {
          return new Begun(answer(name, kept.get(), true), null, e.seq, true);
        }
        throw new ApiException(409, "decision #" + e.seq + " did not keep snapshot '" + name + "': it is kept by "
            + (by == 0 ? "someone else" : "decision #" + by) + "; snapshots are kept, pick a new name");
      }
      if (snapshots.isPending(name)) {
        throw new ApiException(409, "snapshot '" + name + "' of decision #" + e.seq
            + " is being written; send the request again once it is answered");
      }
      // audited, then the process stopped (or the write failed) before it was kept: sent again
      // with its id, it is kept now under that entry, as a mode sent again is written; a second
      // decision entry would count one decision twice. When the log says its write failed, a
      // snapshot-kept entry (no request id) says it is kept now, written first as a decision's is
      List<EdgeView> now = edges.get();
      if (audit.lastValue(AuditLog.SNAPSHOT, name).isEmpty()) {
        try {
          audit.append(who, AuditLog.SNAPSHOT_KEPT, name, null, now.size() + " edges");
        } catch (RuntimeException ex) {
          throw new ApiException(503, "decision #" + e.seq + " is audited but the audit log could not be written ("
              + ex.getMessage() + "); snapshot '" + name + "' was not kept, send the request again");
        }
      }
      snapshots.reserve(name, e.seq);
      return new Begun(null, now, e.seq, true);
    }
    try {
      snapshots.checkFree(name);
    } catch (IllegalArgumentException e) {
      throw snapshots.isPending(name) ? new ApiException(409, e.getMessage()) : ApiException.badRequest(e.getMessage());
    }
    // the edges of the moment of the audit entry; converted off the loop
    List<EdgeView> now = edges.get();
    ReviewAuditSpec e;
    try {
      e = audit.append(who, AuditLog.SNAPSHOT, name, null, now.size() + " edges", req.id());
    } catch (RuntimeException ex) {
      throw new ApiException(503, "the audit log could not be written (" + ex.getMessage() + "); snapshot '" + name
          + "' was not kept, send the request again");
    }
    snapshots.reserve(name, e.seq);
    return new Begun(null, now, e.seq, false);
  }

  private Taken finish(Principal who, String name, Begun begun, Snapshots.Written written) {
    String context = begun.repeated() ? "decision #" + begun.decision() + " is audited but " : "";
    if (written instanceof Snapshots.Written.Kept k) {
      snapshots.kept(name, k.spec(), begun.decision());
      return answer(name, k.spec(), begun.repeated());
    }
    snapshots.abandon(name);
    if (written instanceof Snapshots.Written.Taken t) {
      // someone's object of that name was there first: it is listed (restore would list it too);
      // when an earlier decision of ours wrote it and the log says that one failed (its answer was
      // lost and could not be read back), the log is told it is kept
      snapshots.kept(name, t.spec(), t.decision());
      boolean ours = t.decision() > 0 && audit.entries().stream().anyMatch(x -> x.seq == t.decision()
          && AuditLog.SNAPSHOT.equals(x.action) && name.equals(x.target));
      String by = ours ? "decision #" + t.decision() : "someone else (it names no decision of this controller)";
      notKept(who, name, begun, new IllegalStateException("taken by " + by));
      if (ours && audit.lastValue(AuditLog.SNAPSHOT, name).isEmpty()) {
        appendOrLog(who, AuditLog.SNAPSHOT_KEPT, name, null, (t.spec().edges == null ? 0 : t.spec().edges.size())
            + " edges (decision #" + t.decision() + ")");
      }
      throw new ApiException(409, context + "snapshot '" + name + "' exists already, kept by " + by
          + "; snapshots are kept, pick a new name");
    }
    Snapshots.Written.Failed f = (Snapshots.Written.Failed) written;
    notKept(who, name, begun, f.failure());
    throw new ApiException(503, context + "snapshot '" + name + "' could not be written (" + f.failure().getMessage()
        + (f.maybeStored() ? "); it may be stored, and could not be read back: send the request again with its id"
            : "); it was not kept, send the request again"));
  }

  /** The log says the snapshot is kept but its write failed: a snapshot-failed entry says it is not. */
  private void notKept(Principal who, String name, Begun begun, RuntimeException failure) {
    if (!appendOrLog(who, AuditLog.SNAPSHOT_FAILED, name, begun.edges().size() + " edges", null)) {
      LOG.error("snapshot {} is audited but was not kept, and that could not be audited: {}", name, failure.toString());
    }
  }

  private boolean appendOrLog(Principal who, String action, String name, String before, String after) {
    try {
      audit.append(who, action, name, before, after);
      return true;
    } catch (RuntimeException again) {
      LOG.warn("audit entry {} {} not written: {}", action, name, again.toString());
      return false;
    }
  }

  private static Taken answer(String name, GraphSnapshotSpec s, boolean repeated) {
    return new Taken(name, s.taken, s.edges == null ? 0 : s.edges.size(), repeated);
  }

  /** Edges as a snapshot holds them, in the views' order; pure. */
  public static List<GraphSnapshotSpec.Edge> snapshotEdges(List<EdgeView> views) {
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

  private static String quote(String s) {
    return dev.palisade.controller.api.JsonText.quote(s);
  }
}
