package dev.palisade.controller.review;

import dev.palisade.controller.api.ApiException;
import dev.palisade.controller.approved.GitOwnedEdges;
import dev.palisade.controller.api.Principal;
import dev.palisade.controller.graph.EdgeStatus;
import dev.palisade.controller.graph.FlowEdge;
import dev.palisade.controller.graph.FlowEdge.EdgeKey;
import dev.palisade.controller.graph.FlowGraph;
import dev.palisade.controller.graph.FlowGraph.EdgeView;
import dev.palisade.controller.graph.OutsideVertex;
import dev.palisade.model.crd.ApprovedGraph;
import dev.palisade.model.crd.ReviewAuditSpec;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Review decisions ({@code POST /v1/review}) in the order that keeps each one whole:
 *
 * <pre>
 *  request id seen before? ---------------------------> the earlier answer, nothing decided again
 *  every "only" selector names an edge? -- no -------> 404, nothing changed
 *  plan: the edges it changes (graph untouched)
 *  an edge an ApprovedGraph lists, decided otherwise? -> 409 with the object's YAML to commit, nothing changed
 *  audit log entry written (the commit point) -- fails -> 503, nothing changed
 *  graph statuses set; allow-lists published (retried); LearnedFlows saved (a failure is retried)
 * </pre>
 *
 * The audit entry is the decision's durable record: the controller {@link #replay replays} the
 * log at start, so a decision whose save failed, or was cut off by {@code kill -9} after its entry
 * was written, holds after the restart. Runs on the controller's loop thread.
 */
public final class EdgeDecisions {
  private static final Logger LOG = LoggerFactory.getLogger(EdgeDecisions.class);

  /** What a decision changes beyond the graph and the audit log. */
  public interface Effects {
    /** Saves these sources' edges; a failure is retried, never thrown. */
    void save(Set<String> sources);

    /** Recompiles and publishes the allow-lists of these edges' ends (a failed write is retried); the revision. */
    long publish(List<EdgeKey> changed);
  }

  /** The answer: edges changed, the audit entry (null when nothing changed), whether it was a repeat. */
  public record Outcome(int changed, Long audit, boolean repeated, long revision) {
    public String json() {
      return "{\"changed\":" + changed + ",\"revision\":" + revision + (audit == null ? "" : ",\"audit\":" + audit)
          + (repeated ? ",\"repeated\":true" : "") + "}";
    }
  }

  private final FlowGraph graph;
  private final AuditLog audit;
  private final Effects effects;

  /** Org guardrails: the rule that forbids an edge (never approvable), if one does. */
  private final java.util.function.Function<EdgeKey, Optional<String>> forbiddenBy;

  /** ApprovedGraph objects: the edges they list are decided in git, not here. */
  private Supplier<Collection<ApprovedGraph>> gitObjects = List::of;

  public EdgeDecisions(FlowGraph graph, AuditLog audit, Effects effects) {
    this(graph, audit, effects, k -> Optional.empty());
  }

  public EdgeDecisions(FlowGraph graph, AuditLog audit, Effects effects,
      java.util.function.Function<EdgeKey, Optional<String>> forbiddenBy) {
    this.graph = graph;
    this.audit = audit;
    this.effects = effects;
    this.forbiddenBy = forbiddenBy;
  }

  /**
   * The ApprovedGraph objects in force (those the overlay was built from; read on the loop
   * thread): decisions that contradict them are refused with the change to commit in git.
   */
  public EdgeDecisions gitOwned(Supplier<Collection<ApprovedGraph>> objects) {
    this.gitObjects = objects;
    return this;
  }

  /** @throws ApiException 404 (an edge not known), 409 (an id used by another decision), 503 (audit write failed) */
  public Outcome decide(Principal who, ReviewRequest req, long revision) {
    return decide(who, req, revision, null);
  }

  /**
   * As above, for the decision on an AccessRequest ({@code accessRequest} NS/NAME, which the audit
   * entry names). Such a decision is recorded even when the edge has the status already, so the
   * request is always answered by an entry of its own.
   */
  public Outcome decide(Principal who, ReviewRequest req, long revision, String accessRequest) {
    Optional<ReviewAuditSpec> earlier = audit.byRequest(req.id());
    if (earlier.isPresent()) {
      ReviewAuditSpec e = earlier.get();
      if (!action(req.status()).equals(e.action)) {
        throw RequestId.usedBy(req.id(), e);
      }
      return new Outcome(e.edges == null ? 0 : e.edges.size(), e.seq, true, revision);
    }
    List<EdgeView> edges = graph.edges();
    if (!req.all()) {
      for (int i = 0; i < req.only().size(); i++) {
        ReviewRequest.EdgeSelector sel = req.only().get(i);
        if (edges.stream().allMatch(v -> sel.decides(v.key()).isEmpty())) {
          throw ApiException.notFound("only[" + i + "]: no edge " + sel.text());
        }
      }
    }
    if (req.all() && !who.clusterWide()) {
      throw new ApiException(403, "all: a decision over every edge needs a cluster-wide approver; " + who.name()
          + " approves in " + String.join(", ", new java.util.TreeSet<>(who.namespaces())) + " only");
    }
    boolean approving = req.status() == EdgeStatus.APPROVED;
    if (approving && !req.all()) {
      // an org guardrail's Deny is final: the kernel drops the edge whatever is approved, so no
      // approval may claim otherwise
      for (EdgeView v : edges) {
        Optional<String> rule = forbiddenBy.apply(v.key());
        if (rule.isPresent() && req.only().stream().anyMatch(sel -> sel.matches(v.key()))) {
          throw new ApiException(409, "only: " + v.key().text() + " is forbidden by " + rule.get()
              + "; it cannot be approved (the policy's owners can change the policy)");
        }
        // a pattern or range compiles as one rule: it cannot leave out a name or address inside it
        if (v.status() == EdgeStatus.REJECTED) {
          for (int i = 0; i < req.only().size(); i++) {
            if (req.only().get(i).widens(v.key())) {
              throw new ApiException(409, "only[" + i + "]: " + req.only().get(i).text() + " covers the rejected edge "
                  + v.key().text() + "; approve a narrower pattern or range, or decide that edge first");
            }
          }
        }
      }
    }
    // "all" approves what may be approved: forbidden edges are left as they are
    Predicate<FlowEdge> filter = req.all() ? e -> !approving || forbiddenBy.apply(e.key()).isEmpty()
        : e -> req.only().stream().anyMatch(sel -> sel.matches(e.key()));
    if (approving) {
      // a scan's summary edge allows no port; "every port of the pair" means the ports seen (a
      // request cannot name the summary itself: port 0 is refused as input)
      filter = filter.and(e -> !FlowGraph.isScan(e.key()));
    }
    List<FlowGraph.Reviewed> planned = new ArrayList<>(graph.plan(filter, req.status()));
    if (!req.all()) {
      planned.addAll(ownEdges(req, edges));
    }
    if (planned.isEmpty() && accessRequest != null && req.only().size() == 1) {
      EdgeKey key = edges.stream().map(EdgeView::key).filter(req.only().get(0)::matches).findFirst()
          .orElseThrow(() -> ApiException.notFound("only[0]: no edge " + req.only().get(0).text()));
      planned = List.of(new FlowGraph.Reviewed(key, req.status()));
    } else if (planned.isEmpty()) {
      return new Outcome(0, null, false, revision);
    }
    for (FlowGraph.Reviewed c : planned) {
      for (String vertex : List.of(c.key().source(), c.key().destination())) {
        String ns = namespaceOf(vertex);
        if (!who.mayDecideIn(ns)) {
          throw new ApiException(403, "only: " + c.key().text() + " touches namespace '" + ns + "'; " + who.name()
              + " approves in " + String.join(", ", new java.util.TreeSet<>(who.namespaces()))
              + " only (an edge across namespaces needs an approver of both, or a cluster-wide one)");
        }
      }
    }
    planned = withoutGitOwned(req, planned);
    if (planned.isEmpty()) {
      return new Outcome(0, null, false, revision);
    }
    List<ReviewAuditSpec.Edge> audited = new ArrayList<>(planned.size());
    for (FlowGraph.Reviewed c : planned) {
      audited.add(new ReviewAuditSpec.Edge(c.key().text(), lower(c.before())));
    }
    ReviewAuditSpec entry;
    try {
      // one entry for the whole decision, however many edges it changed
      entry = audit.appendEdges(who, action(req.status()), audited, lower(req.status()), req.id(), accessRequest);
    } catch (RuntimeException e) {
      LOG.warn("review by {} not applied: the audit log could not be written: {}", who.name(), e.getMessage());
      throw new ApiException(503, "the audit log could not be written (" + e.getMessage()
          + "); nothing was decided, send the request again");
    }
    List<EdgeKey> keys = new ArrayList<>(planned.size());
    Set<String> sources = new LinkedHashSet<>();
    for (FlowGraph.Reviewed c : planned) {
      graph.declare(c.key(), req.status());
      keys.add(c.key());
      sources.add(c.key().source());
    }
    // the agents' allow-lists first: the audit entry already holds the decision through a kill -9
    // (replayed at start), so its LearnedFlows save need not stand between the approver and the nodes
    long published = effects.publish(keys);
    effects.save(sources);
    int changed = (int) planned.stream().filter(c -> c.before() != req.status()).count();
    return new Outcome(changed, entry.seq, false, published);
  }

  /**
   * The planned changes git agrees with. An edge an ApprovedGraph lists is git's to decide: a
   * decision against it is refused (409) with the object's new YAML to commit instead, since
   * applied here it would be overridden at once by the overlay or undone at the next sync. "all"
   * leaves such edges as they are, as it leaves forbidden ones.
   */
  private List<FlowGraph.Reviewed> withoutGitOwned(ReviewRequest req, List<FlowGraph.Reviewed> planned) {
    Collection<ApprovedGraph> objects = gitObjects.get();
    if (objects.isEmpty()) {
      return planned;
    }
    List<GitOwnedEdges.Conflict> conflicts = GitOwnedEdges.conflicts(objects,
        planned.stream().map(FlowGraph.Reviewed::key).toList(), req.status());
    if (conflicts.isEmpty()) {
      return planned;
    }
    if (req.all()) {
      Set<EdgeKey> owned = new java.util.HashSet<>();
      conflicts.forEach(c -> owned.addAll(c.edges()));
      return planned.stream().filter(c -> !owned.contains(c.key())).toList();
    }
    ObjectNode details = JsonNodeFactory.instance.objectNode();
    ArrayNode managedBy = details.putArray("managedBy");
    List<String> said = new ArrayList<>();
    for (GitOwnedEdges.Conflict c : conflicts) {
      ObjectNode o = managedBy.addObject();
      o.put("approvedGraph", c.approvedGraph());
      ArrayNode edges = o.putArray("edges");
      c.edges().forEach(k -> edges.add(k.text()));
      o.put("patch", c.patch());
      said.add(c.edges().stream().map(EdgeKey::text).collect(java.util.stream.Collectors.joining(", "))
          + " is managed in git by ApprovedGraph " + c.approvedGraph());
    }
    throw new ApiException(409, "only: " + String.join("; ", said) + ": commit this change there (managedBy[].patch"
        + " is the object with the decision in it); the page does not override git", details);
  }

  /**
   * The selectors' own edges (a pattern, a range) the decision adds to the graph, with no status
   * before. Those the graph has already are the selectors' exact matches, planned with the rest.
   */
  private static List<FlowGraph.Reviewed> ownEdges(ReviewRequest req, List<EdgeView> edges) {
    Set<EdgeKey> known = new java.util.HashSet<>();
    edges.forEach(v -> known.add(v.key()));
    Set<EdgeKey> own = new LinkedHashSet<>();
    for (EdgeView v : edges) {
      for (ReviewRequest.EdgeSelector sel : req.only()) {
        for (EdgeKey k : sel.decides(v.key())) {
          if (!known.contains(k)) {
            own.add(k);
          }
        }
      }
    }
    return own.stream().map(k -> new FlowGraph.Reviewed(k, null)).toList();
  }

  /**
   * Gives every edge the status the last whole decision about it in the audit log gave it (its
   * LearnedFlows were not saved before the process stopped); edges the graph does not know (never
   * learned, or their object lost) are left out. Then every edge restored approved or rejected that
   * no decision gave that status is learned again: every approval and rejection is a decision,
   * audited before it takes effect, so a status without one came from a LearnedFlows object written
   * by someone else (an edit, an old backup), and taking it would open an edge nobody decided. Each
   * source's edges set back get one tamper-repair entry, written by {@code who}. The log's
   * decisions are read once for both.
   *
   * @return the sources whose edges changed (to be saved)
   */
  public static Set<String> replay(FlowGraph graph, AuditLog audit, String who) {
    Map<EdgeKey, EdgeStatus> last = lastDecided(audit);
    Set<String> changed = new LinkedHashSet<>();
    last.forEach((k, s) -> {
      // an edge with an outside end may be one a decision made (a pattern, a range): it is made again
      boolean outside = OutsideVertex.isOutside(k.source()) || OutsideVertex.isOutside(k.destination());
      if (graph.replay(k, s) || (outside && graph.declare(k, s))) {
        changed.add(k.source());
      }
    });
    if (!changed.isEmpty()) {
      LOG.info("audit log replayed: the edges of {} source(s) had not been saved with their last decision",
          changed.size());
    }
    changed.addAll(unaudited(graph, audit, last, who));
    return changed;
  }

  /** After the replay: the edges whose status {@code last} does not give are learned again, and audited. */
  private static Set<String> unaudited(FlowGraph graph, AuditLog audit, Map<EdgeKey, EdgeStatus> last, String who) {
    Map<String, List<FlowGraph.Reviewed>> bySource = new java.util.TreeMap<>();
    for (FlowGraph.EdgeView v : graph.edgeViews()) {
      if (v.status() != EdgeStatus.LEARNED && last.get(v.key()) != v.status()) {
        bySource.computeIfAbsent(v.key().source(), s -> new java.util.ArrayList<>())
            .add(new FlowGraph.Reviewed(v.key(), v.status()));
      }
    }
    bySource.forEach((source, edges) -> {
      edges.forEach(r -> graph.replay(r.key(), EdgeStatus.LEARNED));
      StringBuilder what = new StringBuilder();
      for (FlowGraph.Reviewed r : edges.subList(0, Math.min(5, edges.size()))) {
        what.append(what.length() == 0 ? "" : ", ").append(r.key().text()).append(' ').append(lower(r.before()));
      }
      String before = edges.size() + " edge(s) restored with a status no decision in the audit log gave: " + what
          + (edges.size() > 5 ? ", ..." : "");
      LOG.warn("LearnedFlows of {}: {}; learned again", source, before);
      try {
        audit.appendRepair(who, "LearnedFlows of " + source, before, "learned");
      } catch (RuntimeException e) {
        // the edges are learned again all the same: the safe side needs no record to hold
        LOG.error("LearnedFlows of {}: edges set back to learned, and that could not be audited: {}", source,
            e.getMessage());
      }
    });
    return bySource.keySet();
  }

  /** Each edge's status after the last whole decision about it in the audit log. */
  private static Map<EdgeKey, EdgeStatus> lastDecided(AuditLog audit) {
    Map<EdgeKey, EdgeStatus> last = new LinkedHashMap<>();
    for (ReviewAuditSpec d : audit.reviewDecisions()) {
      EdgeStatus after;
      try {
        after = EdgeStatus.valueOf(d.after.toUpperCase(Locale.ROOT));
      } catch (RuntimeException e) {
        LOG.warn("audit decision #{} has no valid status after ({}); not replayed", d.seq, d.after);
        continue;
      }
      for (ReviewAuditSpec.Edge e : d.edges) {
        try {
          last.put(EdgeKey.parseText(e.edge), after);
        } catch (IllegalArgumentException ex) {
          LOG.warn("audit decision #{}: {}; not replayed", d.seq, ex.getMessage());
        }
      }
    }
    return last;
  }

  /** NS of a workload vertex NS/KIND/NAME; null for the outside, the host and other entities. */
  static String namespaceOf(String vertex) {
    int slash = vertex.indexOf('/');
    return slash < 0 || slash == vertex.lastIndexOf('/') ? null : vertex.substring(0, slash); // a CIDR has one
  }

  static String action(EdgeStatus after) {
    return switch (after) {
      case APPROVED -> "approve";
      case REJECTED -> "reject";
      default -> "unreview";
    };
  }

  private static String lower(EdgeStatus s) {
    return s == null ? null : s.name().toLowerCase(Locale.ROOT);
  }
}
