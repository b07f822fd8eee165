package dev.palisade.controller.api;

/** An authenticated caller: a name for the audit log (agent node, user) and its role. */
public record Principal(String name, Role role) {
  public Principal {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("principal name must not be blank");
    }
  }
}
