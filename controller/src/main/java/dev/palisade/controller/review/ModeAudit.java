package dev.palisade.controller.review;

import dev.palisade.controller.publish.Tamper;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every mode change is in the audit log, whatever made it: the review API audits its own before
 * writing; this audits what the controller sees change that the log does not already say (a
 * SegmentationMode applied with kubectl or GitOps, a {@code palisade.dev/mode} annotation edited
 * on a Namespace or a Deployment), naming the writer as the object's managedFields do. A value is
 * compared with the last one the log holds for the same target, so changes made while the
 * controller was down are audited when it starts ("seen at start"), and the API's own writes,
 * already audited, are not audited twice.
 *
 * <p>Not thread-safe: the controller's loop thread only.
 */
public final class ModeAudit {
  private static final Logger LOG = LoggerFactory.getLogger(ModeAudit.class);
  /** The value of a target that has no setting at its level: the next level's mode applies. */
  public static final String INHERITED = "(inherited)";

  private final AuditLog audit;

  public ModeAudit(AuditLog audit) {
    this.audit = audit;
  }

  /**
   * A SegmentationMode as stored now: {@code target} NS or NS/KIND/NAME, {@code mode} null when
   * the object was deleted.
   */
  public void segmentationMode(String target, String mode, List<ManagedFieldsEntry> writers, boolean atStart) {
    seen(AuditLog.MODE, target, mode, writers, atStart, "");
  }

  /** A {@code palisade.dev/mode} annotation as it is now (null: removed) on a Namespace or root owner. */
  public void annotation(String target, String value, List<ManagedFieldsEntry> writers, boolean atStart,
      boolean ignored) {
    seen(AuditLog.MODE_ANNOTATION, target, value, writers, atStart,
        ignored && value != null ? " (ignored: workload mode annotations are disallowed)" : "");
  }

  private void seen(String action, String target, String value, List<ManagedFieldsEntry> writers, boolean atStart,
      String note) {
    String now = (value == null ? INHERITED : value) + note;
    String known = audit.lastValue(action, target).orElse(INHERITED);
    if (Objects.equals(known, now)) {
      return;
    }
    String who = Tamper.lastManager(writers).orElse("unknown writer (no managedFields)");
    try {
      audit.appendSeen(who + (atStart ? " (seen at start)" : ""), action, target, known, now);
    } catch (RuntimeException e) {
      // not lost for good: the next event or start compares with the log again
      LOG.warn("mode change of {} to {} by {} could not be audited: {}", target, now, who, e.getMessage());
    }
  }
}
