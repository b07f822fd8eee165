package dev.palisade.lab.ci;

/**
 * The verdict on one edge with what backs it: the observation (null for an approved edge the
 * traffic did not make) and the baseline file that approves or rejects it (null when none does).
 */
public record Finding(CiEdge edge, Verdict verdict, ObservedEdge observed, String baselineFile) {
  /** What the traffic showed, in one line. */
  public String evidence() {
    if (observed == null) {
      return "not exercised by the traffic";
    }
    String pods = String.join(", ", observed.sourcePods());
    String first = observed.firstBy().isEmpty() ? "" : "; first by " + observed.firstBy();
    if (observed.failed() > 0) {
      return observed.failed() + " of " + (observed.failed() + observed.connected()) + " connections failed from "
          + pods + first;
    }
    return observed.connected() + " connection(s) from " + pods + first;
  }

  /** Why the edge fails the change; empty for one that passes. */
  public String why() {
    return switch (verdict) {
      case DROPPED -> "the manifests' NetworkPolicy drops it: fix the policy or the call";
      case FORBIDDEN -> baselineFile.startsWith(OrgGuardrails.ORIGIN) ? "forbidden by " + baselineFile
          : "rejected in " + baselineFile;
      case NEW -> "not in the approved graph: enforce mode would drop it";
      case APPROVED -> "";
      case NOT_EXERCISED -> "approved in " + baselineFile + " but not made by the traffic";
    };
  }

  /** Who decides about it. */
  public String whoApproves() {
    return switch (verdict) {
      case DROPPED -> "app team (NetworkPolicy in " + edge.approverNamespace() + ")";
      case FORBIDDEN -> baselineFile.startsWith(OrgGuardrails.ORIGIN)
          ? "the owners of that ClusterNetworkPolicy (no approval can lift it)"
          : "security team (only they may lift a rejection)";
      case NEW -> "owners of " + edge.approverNamespace() + " (ApprovedGraph in patch.yaml, or the review page)";
      case APPROVED, NOT_EXERCISED -> "-";
    };
  }
}
