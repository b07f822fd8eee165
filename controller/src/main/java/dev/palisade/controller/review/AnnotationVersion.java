package dev.palisade.controller.review;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import java.util.Map;
import java.util.Optional;

/**
 * Which version of an object's annotation is set, as the API server's managedFields say: the
 * manager that owns the annotation's field, its operation and the time it last changed a field it
 * owns. Unlike the object's resourceVersion this stays put while others change the object (a
 * Deployment's status, a rollout, another annotation), and across controller restarts, so a problem
 * with the annotation is told once per value set, not once per version of the object.
 */
final class AnnotationVersion {
  private AnnotationVersion() {}

  /** The version of {@code annotation} on {@code o}; empty when no managedFields entry owns it. */
  static Optional<String> of(HasMetadata o, String annotation) {
    if (o.getMetadata().getManagedFields() == null) {
      return Optional.empty();
    }
    for (ManagedFieldsEntry e : o.getMetadata().getManagedFields()) {
      if (e.getFieldsV1() != null && owns(e.getFieldsV1().getAdditionalProperties(), annotation)) {
        return Optional.of(e.getManager() + " " + e.getOperation() + " "
            + (e.getTime() == null ? "(no time)" : e.getTime()));
      }
    }
    return Optional.empty();
  }

  /** Whether fieldsV1 holds {@code f:metadata} / {@code f:annotations} / {@code f:ANNOTATION}. */
  private static boolean owns(Map<String, Object> fields, String annotation) {
    return fields != null && fields.get("f:metadata") instanceof Map<?, ?> metadata
        && metadata.get("f:annotations") instanceof Map<?, ?> annotations
        && annotations.containsKey("f:" + annotation);
  }
}
