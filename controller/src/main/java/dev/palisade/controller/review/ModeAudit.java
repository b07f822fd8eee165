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
 * already audited, are not audited twice. A change whose entry could not be written (the API
 * server refused or was away) is tried again every second until it is in the log: the change is
 * already in force (kubectl wrote it), so the log must catch up without waiting for another event.
 *
 * <p>Not thread-safe: the controller's loop thread only ({@code later} brings retries back to it).
 */
public final class ModeAudit {
  private static final Logger LOG = LoggerFactory.getLogger(ModeAudit.class);
  /** The value of a target that has no setting at its level: the next level's mode applies. */
  public static final String INHERITED = "(inherited)";

  private final AuditLog audit;
  private final java.util.function.Consumer<Runnable> later;
  /** Changes not yet in the log, by action and target: the latest value of each (an older one is moot). */
  private final java.util.Map<String, Runnable> unaudited = new java.util.LinkedHashMap<>();
  private boolean retryScheduled;

  /** Without retries (tests of what is audited, not of failures). */
  public ModeAudit(AuditLog audit) {
    this(audit, r -> { });
  }

  /** @param later runs its argument on the loop thread about a second from now */
  public ModeAudit(AuditLog audit, java.util.function.Consumer<Runnable> later) {
    this.audit = audit;
    this.later = later;
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
    String key = action + " " + target;
    try {
      audit.appendSeen(who + (atStart ? " (seen at start)" : ""), action, target, known, now);
      unaudited.remove(key);
    } catch (RuntimeException e) {
      LOG.warn("mode change of {} to {} by {} could not be audited (tried again in a second): {}", target, now, who,
          e.getMessage());
      unaudited.put(key, () -> seen(action, target, value, writers, atStart, note));
      scheduleRetry();
    }
  }

  private void scheduleRetry() {
    if (retryScheduled) {
      return;
    }
    retryScheduled = true;
    later.accept(() -> {
      retryScheduled = false;
      // seen() compares with the log again: a value some later event audited meanwhile is not written twice
      new java.util.ArrayList<>(unaudited.values()).forEach(Runnable::run);
    });
  }
}
