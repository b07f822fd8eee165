package dev.palisade.controller.review;

import dev.palisade.controller.api.ApiException;
import dev.palisade.controller.api.Principal;
import dev.palisade.model.crd.ReviewAuditSpec;
import dev.palisade.model.crd.SegmentationMode;
import dev.palisade.model.crd.SegmentationModeSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * An approver's mode decision ({@code POST /v1/mode}), made on the controller's loop: checked
 * (the approver's namespaces, the target exists, no other object's name is taken), written to the
 * audit log, then to the SegmentationMode that sets the target. The audit entry is the commit
 * point: a mode in force is always in the log, and a write that fails after it gets a mode-failed
 * entry and a 503, so the log never claims what is not in force. A request sent again with its id
 * is that decision, never a second one.
 */
public final class ModeDecisions {
  /** What a mode decision reads and writes of the cluster (informers' stores; loop thread). */
  public interface Cluster {
    boolean namespaceExists(String namespace);

    /** A root owner or a bare pod of a {@link ModeRequest#KINDS kind}. */
    boolean workloadExists(String namespace, String kind, String name);

    List<SegmentationMode> modes();

    /** Creates the object, or updates the one of that name; throws if the API server refuses or fails. */
    void write(SegmentationMode mode);
  }

  /** What the approver is answered: the target, its mode now, the decision's audit entry. */
  public record Decided(String target, String mode, long audit, boolean repeated) {
    public String json() {
      return "{\"target\":" + quote(target) + ",\"mode\":" + quote(mode) + ",\"audit\":" + audit
          + (repeated ? ",\"repeated\":true}" : "}");
    }
  }

  private final Cluster cluster;
  private final AuditLog audit;

  public ModeDecisions(Cluster cluster, AuditLog audit) {
    this.cluster = cluster;
    this.audit = audit;
  }

  /** Loop thread. @throws ApiException 403, 404, 409 refused (nothing changed); 503 not in force */
  public Decided decide(Principal who, ModeRequest req) {
    if (!who.mayDecideIn(req.namespace())) {
      throw new ApiException(403, "namespace: " + who.name() + " approves in "
          + String.join(", ", new TreeSet<>(who.namespaces())) + " only, not '" + req.namespace() + "'");
    }
    // A mode for something that does not exist would sit unused until a namesake appears.
    if (!cluster.namespaceExists(req.namespace())) {
      throw ApiException.notFound("namespace: no namespace '" + req.namespace() + "'");
    }
    if (req.forWorkload() && !cluster.workloadExists(req.namespace(), req.kind(), req.name())) {
      throw ApiException.notFound("workload: no " + req.kind() + " '" + req.name() + "' in namespace '"
          + req.namespace() + "'");
    }
    String workload = req.forWorkload() ? req.workload() : "";
    List<SegmentationMode> modes = cluster.modes();
    Optional<SegmentationMode> existing = modes.stream()
        .filter(m -> req.namespace().equals(m.getMetadata().getNamespace()) && m.getSpec() != null
            && workload.equals(m.getSpec().workload == null ? "" : m.getSpec().workload))
        .findFirst();
    String before = existing.map(m -> m.getSpec().mode).orElse(ModeAudit.INHERITED);
    // the object that already sets this target is the one changed (whatever wrote it, whatever its
    // name); a new one takes the target's name, never an object that sets something else
    String objectName = existing.map(m -> m.getMetadata().getName()).orElse(req.objectName());
    modes.stream()
        .filter(m -> req.namespace().equals(m.getMetadata().getNamespace())
            && objectName.equals(m.getMetadata().getName()) && existing.map(x -> x != m).orElse(true))
        .findFirst().ifPresent(other -> {
          throw new ApiException(409, "workload: SegmentationMode " + req.namespace() + "/" + objectName
              + " already sets " + (other.getSpec() == null || other.getSpec().workload == null
              ? "the namespace" : other.getSpec().workload) + "; rename it to set " + req.target());
        });
    Optional<ReviewAuditSpec> earlier = audit.byRequest(req.id());
    if (earlier.isPresent()) {
      ReviewAuditSpec e = earlier.get();
      if (!AuditLog.MODE.equals(e.action) || !req.target().equals(e.target) || !req.mode().text().equals(e.after)) {
        throw RequestId.usedBy(req.id(), e);
      }
      // audited, then the process stopped before the object was written (no answer was sent):
      // the request sent again completes it, unless a later decision about the target replaced it
      boolean inForce = existing.map(m -> req.mode().text().equals(m.getSpec().mode)).orElse(false);
      boolean replaced = audit.entries().stream().anyMatch(x -> AuditLog.MODE.equals(x.action)
          && req.target().equals(x.target) && x.requestId != null && x.seq > e.seq);
      if (!replaced) {
        keep(who, req, objectName, before, e.seq, inForce);
      }
      return new Decided(req.target(), req.mode().text(), e.seq, true);
    }
    // the audit entry first: a mode change that is in force is always in the log
    ReviewAuditSpec e;
    try {
      e = audit.append(who, AuditLog.MODE, req.target(), before, req.mode().text(), req.id());
    } catch (RuntimeException ex) {
      throw new ApiException(503, "the audit log could not be written (" + ex.getMessage()
          + "); the mode was not changed, send the request again");
    }
    try {
      write(req, objectName);
    } catch (RuntimeException ex) {
      auditNotInForce(who, req, before, ex);
      throw new ApiException(503, "the mode could not be written (" + ex.getMessage() + "); decision #" + e.seq
          + " did not take effect, send the request again");
    }
    return new Decided(req.target(), req.mode().text(), e.seq, false);
  }

  /**
   * Completes mode decision #{@code seq}, its request sent again: the mode is written unless it is
   * in force, and when the log says the decision did not take effect (mode-failed), a mode-kept
   * entry says it does now, written first as a decision's entry is, so a reader of the log sees
   * the decision's final state. That entry has no request id: the decision is #{@code seq}'s,
   * counted once.
   */
  private void keep(Principal who, ModeRequest req, String objectName, String before, long seq, boolean inForce) {
    String mode = req.mode().text();
    if (!mode.equals(audit.lastValue(AuditLog.MODE, req.target()).orElse(ModeAudit.INHERITED))) {
      try {
        audit.append(who, AuditLog.MODE_KEPT, req.target(), before, mode);
      } catch (RuntimeException ex) {
        throw new ApiException(503, "decision #" + seq + " is audited but the audit log could not be written ("
            + ex.getMessage() + "); the mode was not changed, send the request again");
      }
    }
    if (inForce) {
      return;
    }
    try {
      write(req, objectName);
    } catch (RuntimeException ex) {
      auditNotInForce(who, req, before, ex);
      throw new ApiException(503, "decision #" + seq + " is audited but the mode could not be written ("
          + ex.getMessage() + "); send the request again");
    }
  }

  /** The log says the mode is in force but its write failed: a mode-failed entry says it never took effect. */
  private void auditNotInForce(Principal who, ModeRequest req, String before, RuntimeException failure) {
    try {
      audit.append(who, AuditLog.MODE_FAILED, req.target(), req.mode().text(), before);
    } catch (RuntimeException again) {
      failure.addSuppressed(again);
    }
  }

  /** Writes the SegmentationMode {@code objectName} that sets {@code req}'s target to its mode. */
  private void write(ModeRequest req, String objectName) {
    SegmentationMode m = new SegmentationMode();
    m.setMetadata(new ObjectMetaBuilder().withNamespace(req.namespace()).withName(objectName).build());
    m.setSpec(new SegmentationModeSpec());
    m.getSpec().mode = req.mode().text();
    m.getSpec().workload = req.workload();
    cluster.write(m);
  }

  private static String quote(String s) {
    return dev.palisade.controller.api.JsonText.quote(s);
  }
}
