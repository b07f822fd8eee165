package dev.palisade.controller.api;

import java.util.Set;

/**
 * An authenticated caller: a name for the audit log (agent node, user), its role, and for an
 * approver the namespaces it may decide in (empty: every namespace, a cluster-wide approver). An
 * approver of {@code shop} decides edges inside {@code shop}; an edge into another namespace needs
 * an approver of both, or a cluster-wide one.
 */
public record Principal(String name, Role role, Set<String> namespaces) {
  public Principal {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("principal name must not be blank");
    }
    namespaces = Set.copyOf(namespaces == null ? Set.of() : namespaces);
  }

  public Principal(String name, Role role) {
    this(name, role, Set.of());
  }

  public boolean clusterWide() {
    return namespaces.isEmpty();
  }

  /** Whether this caller may decide about {@code namespace} (null: no namespace, e.g. the outside). */
  public boolean mayDecideIn(String namespace) {
    return clusterWide() || namespace == null || namespaces.contains(namespace);
  }
}
