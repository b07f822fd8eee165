package dev.palisade.controller.review;

import dev.palisade.controller.api.Principal;
import dev.palisade.model.crd.ReviewAudit;
import dev.palisade.model.crd.ReviewAuditSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The append-only record of every review decision (approve, reject, mode change, snapshot). Each
 * entry is written as its own {@link ReviewAudit} object with {@code create}, never update: an
 * entry that already exists makes the write fail rather than overwrite history. Entries are read
 * back at start, so the log outlives the controller process.
 *
 * <p>Not thread-safe: the controller calls it from its event thread only.
 */
public final class AuditLog {
  private final KubernetesClient client;
  private final List<ReviewAuditSpec> entries = new ArrayList<>();
  private long seq;

  public AuditLog(KubernetesClient client) {
    this.client = client;
  }

  /** Loads the entries earlier controller runs wrote. */
  public AuditLog restore() {
    for (ReviewAudit a : client.resources(ReviewAudit.class).list().getItems()) {
      if (a.getSpec() != null) {
        entries.add(a.getSpec());
        seq = Math.max(seq, a.getSpec().seq);
      }
    }
    entries.sort(Comparator.comparingLong(e -> e.seq));
    return this;
  }

  /** Records one decision; returns the entry as stored. */
  public ReviewAuditSpec append(Principal who, String action, String target, String before, String after) {
    ReviewAuditSpec e = new ReviewAuditSpec();
    e.seq = seq + 1;
    e.time = Instant.now().toString();
    e.who = who.name();
    e.role = who.role().name().toLowerCase(Locale.ROOT);
    e.action = action;
    e.target = target;
    e.before = before;
    e.after = after;
    ReviewAudit cr = new ReviewAudit();
    cr.setMetadata(new ObjectMetaBuilder().withName(String.format(Locale.ROOT, "audit-%012d", e.seq)).build());
    cr.setSpec(e);
    client.resources(ReviewAudit.class).resource(cr).create();
    seq = e.seq;
    entries.add(e);
    return e;
  }

  /** Every entry, oldest first. */
  public List<ReviewAuditSpec> entries() {
    return List.copyOf(entries);
  }
}
