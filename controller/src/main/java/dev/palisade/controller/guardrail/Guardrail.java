package dev.palisade.controller.guardrail;

import java.util.Objects;

/**
 * What the org's Admin-tier ClusterNetworkPolicies say of one learned edge: it may happen
 * (approved without a reviewer), it must not (forbidden: never approvable), or they leave it to
 * review (a Pass, or no rule). {@code rule} names the deciding rule as the page and the audit log
 * show it; null when no rule matched.
 */
public record Guardrail(Verdict verdict, String rule) {
  public static final Guardrail NONE = new Guardrail(Verdict.REVIEW, null);

  public enum Verdict {
    ACCEPT, FORBID, REVIEW;

    /** As the API and the audit log write it. */
    public String text() {
      return switch (this) {
        case ACCEPT -> "accept";
        case FORBID -> "forbid";
        case REVIEW -> "review";
      };
    }
  }

  public Guardrail {
    Objects.requireNonNull(verdict, "verdict");
    if (verdict != Verdict.REVIEW && rule == null) {
      throw new IllegalArgumentException(verdict + " needs the rule that decided it");
    }
  }

  /** "accept: ClusterNetworkPolicy NAME rule R (Admin Accept, egress)", or "review". */
  public String text() {
    return rule == null ? verdict.text() : verdict.text() + ": " + rule;
  }
}
