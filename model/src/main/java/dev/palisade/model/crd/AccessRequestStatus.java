package dev.palisade.model.crd;

import io.fabric8.crd.generator.annotation.PrinterColumn;

/**
 * status of an {@link AccessRequest}, written by the controller only: derived from the spec and
 * the review audit log, so writing it again after a restart gives the same status.
 */
public class AccessRequestStatus {
  public static final String PENDING = "Pending";
  public static final String APPROVED = "Approved";
  public static final String REJECTED = "Rejected";
  public static final String INVALID = "Invalid";

  /** Pending, Approved, Rejected or Invalid. */
  @PrinterColumn(name = "Phase")
  public String phase;
  public String message;
  /** The edge asked for, ends resolved to workloads: SRC -> DST PORT/PROTO. */
  @PrinterColumn(name = "Edge")
  public String edge;
  /** The approver who decided, and when (ISO-8601); absent while pending. */
  public String decidedBy;
  public String decidedAt;
  /** The sequence number of the review audit entry (ReviewAudit audit-NNN) that decided it. */
  public Long audit;
  /** The spec's generation the status is about. */
  public Long observedGeneration;
}
