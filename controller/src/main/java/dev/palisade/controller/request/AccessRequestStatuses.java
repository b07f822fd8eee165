package dev.palisade.controller.request;

import dev.palisade.model.crd.AccessRequest;
import dev.palisade.model.crd.AccessRequestStatus;
import dev.palisade.model.crd.ReviewAuditSpec;
import java.util.Objects;
import java.util.Optional;

/**
 * The status an AccessRequest should have: Invalid when its spec names no edge, Approved or
 * Rejected when the audit log holds an approver's decision made on it (at its generation), else
 * Pending. Pure: the same inputs give the same status, so rewriting it is harmless.
 */
final class AccessRequestStatuses {
  private AccessRequestStatuses() {}

  static AccessRequestStatus desired(AccessRequest r, AccessRequestCheck.Checked c, Optional<ReviewAuditSpec> decision) {
    AccessRequestStatus s = new AccessRequestStatus();
    s.observedGeneration = r.getMetadata().getGeneration();
    if (!c.valid()) {
      s.phase = AccessRequestStatus.INVALID;
      s.message = c.problem();
      return s;
    }
    s.edge = c.edge().text();
    if (decision.isEmpty()) {
      s.phase = AccessRequestStatus.PENDING;
      s.message = "waiting for an approver (review page, Access requests)";
      return s;
    }
    ReviewAuditSpec e = decision.get();
    boolean approved = "approve".equals(e.action);
    s.phase = approved ? AccessRequestStatus.APPROVED : AccessRequestStatus.REJECTED;
    s.decidedBy = e.who;
    s.decidedAt = e.time;
    s.audit = e.seq;
    s.message = (approved ? "approved" : "rejected") + " by " + e.who + " (review audit entry #" + e.seq + ")";
    return s;
  }

  static boolean same(AccessRequestStatus a, AccessRequestStatus b) {
    if (a == null || b == null) {
      return a == b;
    }
    return Objects.equals(a.phase, b.phase) && Objects.equals(a.message, b.message) && Objects.equals(a.edge, b.edge)
        && Objects.equals(a.decidedBy, b.decidedBy) && Objects.equals(a.decidedAt, b.decidedAt)
        && Objects.equals(a.audit, b.audit) && Objects.equals(a.observedGeneration, b.observedGeneration);
  }
}
