package dev.palisade.model.crd;

import java.util.List;

/**
 * spec of a {@link ReviewAudit}: who did what, when, to what, and the state before and after. One
 * decision is one entry, however many edges it changed: approving 100k edges at once is one
 * record listing them in {@link #edges}, not 100k objects.
 */
public class ReviewAuditSpec {
  /** The decision's number; every part of a split decision carries the same one. */
  public long seq;
  /** ISO-8601 instant. */
  public String time;
  public String who;
  public String role;
  /**
   * approve, reject, unreview, mode, snapshot; tamper-repair when the controller (role
   * "controller") wrote back an object it publishes that someone deleted or edited.
   */
  public String action;
  /**
   * What the decision was about: the namespace/workload whose mode changed, the snapshot name, the
   * one edge (SRC -> DST PORT/PROTO) reviewed, or "N edges" when a review changed several.
   */
  public String target;
  /** For an edge decision: the edges' common status before, or "(mixed)"; each edge's own is in {@link #edges}. */
  public String before;
  public String after;
  /**
   * The id the caller gave the decision ({@code "id"} in the request), if any: a request sent
   * again with the same id is answered from this entry instead of deciding twice.
   */
  public String requestId;
  /**
   * The AccessRequest (NS/NAME) this decision answered, when it was made from the review page's
   * request queue; absent for other decisions.
   */
  public String accessRequest;
  /** The edges an approve, reject or unreview changed (in this part); empty for other actions. */
  public List<Edge> edges;
  /**
   * Set only when a decision's edges did not fit one object and were written as several: this is
   * part {@code part} (1-based) of {@code parts}. Absent for a decision kept in one object.
   */
  public Integer part;
  public Integer parts;

  /** One edge a review decision changed and the status it had before (the decision's {@code after} applies to all). */
  public static class Edge {
    /** SRC -> DST PORT/PROTO. */
    public String edge;
    public String before;

    public Edge() {}

    public Edge(String edge, String before) {
      this.edge = edge;
      this.before = before;
    }
  }
}
