package dev.palisade.controller.request;

import dev.palisade.controller.api.ApiException;
import dev.palisade.controller.api.Principal;
import dev.palisade.controller.graph.EdgeStatus;
import dev.palisade.controller.graph.FlowEdge.EdgeKey;
import dev.palisade.controller.graph.FlowGraph;
import dev.palisade.controller.review.AuditLog;
import dev.palisade.controller.review.EdgeDecisions;
import dev.palisade.controller.review.ReviewRequest;
import dev.palisade.model.crd.AccessRequest;
import dev.palisade.model.crd.AccessRequestStatus;
import dev.palisade.model.crd.ReviewAuditSpec;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The review page's queue of AccessRequests, and the one way they are decided.
 *
 * <pre>
 *  AccessRequest added or edited --> AccessRequestCheck (edge, or Invalid) --+
 *  audit log: a decision with the request's id? -----------------------------+--> status (written when it differs)
 *  POST /v1/requests/decide (approver) --> EdgeDecisions.decide(id = ar:UID:GEN) --> audit entry (commit point)
 *                                          --> graph + allow-lists --> status Approved/Rejected with the entry
 * </pre>
 *
 * A request decides nothing: its status is only ever what the audit log says an approver decided,
 * so it is the same when written again after a restart or a failed write (retried). Loop thread only.
 */
public final class AccessRequestQueue {
  private static final Logger LOG = LoggerFactory.getLogger(AccessRequestQueue.class);
  /** Requests one queue answer lists, pending ones first: the page has no use for more. */
  static final int MAX_LISTED = 500;

  /** Writes a request's status (the status subresource); throws when it could not. */
  public interface StatusWriter {
    void write(AccessRequest request, AccessRequestStatus status);
  }

  /** A request with what the controller makes of it now. */
  public record Entry(AccessRequest request, AccessRequestCheck.Checked checked, AccessRequestStatus status,
      String edgeStatus) {}

  private final FlowGraph graph;
  private final AuditLog audit;
  private final EdgeDecisions decisions;
  private final AccessRequestCheck.Ends ends;
  private final StatusWriter writer;
  private final Consumer<Runnable> retryLater;
  private SharedIndexInformer<AccessRequest> informer;

  /** @param retryLater runs a retry on the loop thread a little later */
  public AccessRequestQueue(FlowGraph graph, AuditLog audit, EdgeDecisions decisions, AccessRequestCheck.Ends ends,
      StatusWriter writer, Consumer<Runnable> retryLater) {
    this.graph = graph;
    this.audit = audit;
    this.decisions = decisions;
    this.ends = ends;
    this.writer = writer;
    this.retryLater = retryLater;
  }

  /** The informer of AccessRequests in every namespace, whose store is the queue. */
  public AccessRequestQueue watching(SharedIndexInformer<AccessRequest> informer) {
    this.informer = informer;
    return this;
  }

  /** Informer events: each asks for the request's status to be brought up to date on the loop. */
  public ResourceEventHandler<AccessRequest> handler(Consumer<Runnable> submit) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(AccessRequest r) {
        submit.accept(() -> reconcile(key(r)));
      }

      @Override
      public void onUpdate(AccessRequest old, AccessRequest r) {
        submit.accept(() -> reconcile(key(r)));
      }

      @Override
      public void onDelete(AccessRequest r, boolean unknown) {
        // nothing to do: a decision made on it stays in the audit log
      }
    };
  }

  /** Writes the request's status if it is not what the spec and the audit log make it. */
  public void reconcile(String key) {
    AccessRequest r = informer == null ? null : informer.getStore().getByKey(key);
    if (r == null) {
      return;
    }
    Entry e = entry(r);
    if (AccessRequestStatuses.same(r.getStatus(), e.status())) {
      return;
    }
    try {
      writer.write(r, e.status());
      LOG.info("AccessRequest {}: {} {}", key, e.status().phase, e.status().edge == null ? e.status().message
          : e.status().edge);
    } catch (RuntimeException ex) {
      LOG.warn("AccessRequest {}: status not written ({}); retrying", key, ex.getMessage());
      retryLater.accept(() -> reconcile(key));
    }
  }

  /**
   * Every request with its status and the edge's review status, in no order: what a viewer's read
   * copies on the loop (the requests are the informer's, replaced on change, never edited), to
   * order with {@link #listed} off it.
   */
  public List<Entry> entries() {
    if (informer == null) {
      return List.of();
    }
    return informer.getStore().list().stream().map(this::entry).toList();
  }

  /** The requests a queue answer lists: pending first, then oldest first, at most {@value #MAX_LISTED}; pure. */
  public static List<Entry> listed(List<Entry> entries) {
    return entries.stream()
        .sorted(Comparator.<Entry>comparingInt(e -> AccessRequestStatus.PENDING.equals(e.status().phase) ? 0 : 1)
            .thenComparing(e -> String.valueOf(e.request().getMetadata().getCreationTimestamp()))
            .thenComparing(e -> key(e.request())))
        .limit(MAX_LISTED).toList();
  }

  Entry entry(AccessRequest r) {
    AccessRequestCheck.Checked c = AccessRequestCheck.check(r.getSpec(), ends);
    Optional<ReviewAuditSpec> decision = audit.byRequest(AccessRequestCheck.requestId(r));
    return new Entry(r, c, AccessRequestStatuses.desired(r, c, decision), c.valid() ? edgeStatus(c.edge()) : null);
  }

  /** The edge's review status now: learned, approved, rejected, or unseen when no flow taught it. */
  private String edgeStatus(EdgeKey k) {
    // looked up, not found among the source's edges: those are copied and sorted, once per request listed
    return graph.statusOf(k).map(s -> s.name().toLowerCase(Locale.ROOT)).orElse("unseen");
  }

  /**
   * Approves or rejects a request: one audited decision on its edge (an edge no flow taught yet is
   * added as learned first), then the request's status names it.
   *
   * @throws ApiException 404 no such request, 409 invalid or changed since shown, or decided the
   *     other way at this generation, 403 an approver of other namespaces, 503 the audit log failed
   */
  public EdgeDecisions.Outcome decide(Principal who, RequestDecision d, long revision) {
    String key = d.namespace() + "/" + d.name();
    AccessRequest r = informer == null ? null : informer.getStore().getByKey(key);
    if (r == null) {
      throw ApiException.notFound("no AccessRequest '" + d.name() + "' in namespace '" + d.namespace() + "'");
    }
    AccessRequestCheck.Checked c = AccessRequestCheck.check(r.getSpec(), ends);
    if (!c.valid()) {
      throw new ApiException(409, "AccessRequest " + key + " is invalid (" + c.problem() + "); nothing was decided");
    }
    if (!c.edge().text().equals(d.edge())) {
      throw new ApiException(409, "edge: AccessRequest " + key + " now asks for " + c.edge().text() + ", not "
          + d.edge() + " (edited since it was shown); nothing was decided, look again");
    }
    for (String vertex : List.of(c.edge().source(), c.edge().destination())) {
      String ns = vertex.substring(0, vertex.indexOf('/'));
      if (!who.mayDecideIn(ns)) {
        throw new ApiException(403, "AccessRequest " + key + ": the edge touches namespace '" + ns + "'; "
            + who.name() + " approves in " + String.join(", ", new java.util.TreeSet<>(who.namespaces())) + " only");
      }
    }
    EdgeKey k = c.edge();
    if (edgeStatus(k).equals("unseen")) {
      // never seen (dropped before any flow was learned): known from now on, so it can be decided
      graph.restore(k, EdgeStatus.LEARNED, 0, 0, 0, 0, List.of(), List.of());
    }
    EdgeStatus to = d.approve() ? EdgeStatus.APPROVED : EdgeStatus.REJECTED;
    ReviewRequest req = new ReviewRequest(to, false,
        List.of(new ReviewRequest.EdgeSelector(k.source(), k.destination(), k.port(), k.protocol())),
        AccessRequestCheck.requestId(r));
    EdgeDecisions.Outcome o = decisions.decide(who, req, revision, key);
    reconcile(key);
    return o;
  }

  /** A decision, and the phase its request is in after it (what the page shows next). */
  public record Decided(EdgeDecisions.Outcome outcome, String phase) {
    public String json() {
      String json = outcome.json();
      return json.substring(0, json.length() - 1) + ",\"phase\":"
          + dev.palisade.controller.api.JsonText.quote(phase) + "}";
    }
  }

  /** {@link #decide}, and the request's phase after it (loop thread). */
  public Decided decideAndShow(Principal who, RequestDecision d, long revision) {
    EdgeDecisions.Outcome o = decide(who, d, revision);
    // the one request, looked up as decide does (entries() would check every request in the store)
    AccessRequest r = informer == null ? null : informer.getStore().getByKey(d.namespace() + "/" + d.name());
    return new Decided(o, r == null ? "" : entry(r).status().phase);
  }

  static String key(AccessRequest r) {
    return r.getMetadata().getNamespace() + "/" + r.getMetadata().getName();
  }
}
