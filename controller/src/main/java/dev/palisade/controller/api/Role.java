package dev.palisade.controller.api;

/**
 * What a caller may do. Agents only report flows; viewers read the graph; approvers also change
 * it (approve, reject, set modes). An approver can do everything a viewer can.
 */
public enum Role {
  AGENT,
  VIEWER,
  APPROVER;

  public boolean permits(Role required) {
    if (this == required) {
      return true;
    }
    return this == APPROVER && required == VIEWER;
  }
}
