package dev.palisade.controller.publish;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A change someone else made to an object the controller owns, as the log and the audit entry
 * name it: what happened to which object, and who did it when the object says so.
 *
 * @param kind the object's kind (AllowList, ConfigMap)
 * @param object NAMESPACE/NAME
 * @param change what was done to it
 * @param part what of it the controller decides and someone edited (spec, data); null for a deletion
 * @param manager the field manager that last wrote it (from metadata.managedFields), or null when
 *     unknown: always for a deletion, which leaves no trace of who deleted
 */
public record Tamper(String kind, String object, Change change, String part, String manager) {
  /** What was done to an owned object. */
  public enum Change {
    DELETED,
    EDITED
  }

  public Tamper {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(object, "object");
    Objects.requireNonNull(change, "change");
  }

  /** The deletion of {@code o}. */
  public static Tamper deleted(String kind, HasMetadata o) {
    return new Tamper(kind, keyOf(o), Change.DELETED, null, null);
  }

  /** {@code o} as someone else left it, its {@code part} changed, with the newest writer its managedFields name. */
  public static Tamper edited(String kind, String part, HasMetadata o) {
    return new Tamper(kind, keyOf(o), Change.EDITED, part,
        lastManager(o.getMetadata().getManagedFields()).orElse(null));
  }

  /** {@code deleted}, {@code spec edited} or {@code spec edited by M}: the audit entry's "before". */
  public String what() {
    String done = change == Change.DELETED ? "deleted" : part + " edited";
    return done + (manager == null ? "" : " by " + manager);
  }

  /**
   * The manager of the newest entry (by time; entries without a time count as oldest, and among
   * equals the later in the list wins, as the API server appends).
   */
  public static Optional<String> lastManager(List<ManagedFieldsEntry> entries) {
    if (entries == null || entries.isEmpty()) {
      return Optional.empty();
    }
    ManagedFieldsEntry newest = null;
    Comparator<String> byTime = Comparator.nullsFirst(Comparator.naturalOrder());
    for (ManagedFieldsEntry e : entries) {
      // RFC 3339 times in UTC, as the API server writes them, sort as text
      if (e.getManager() != null && (newest == null || byTime.compare(e.getTime(), newest.getTime()) >= 0)) {
        newest = e;
      }
    }
    return Optional.ofNullable(newest).map(ManagedFieldsEntry::getManager);
  }

  static String keyOf(HasMetadata o) {
    return o.getMetadata().getNamespace() + "/" + o.getMetadata().getName();
  }
}
