package dev.palisade.model.crd;

/** spec of a {@link ReviewAudit}: who did what, when, to what, and the state before and after. */
public class ReviewAuditSpec {
  public long seq;
  /** ISO-8601 instant. */
  public String time;
  public String who;
  public String role;
  /** approve, reject, unreview, mode, snapshot. */
  public String action;
  /** The edge (SRC -> DST PORT/PROTO) or the namespace/workload whose mode changed. */
  public String target;
  public String before;
  public String after;
}
