package dev.palisade.controller.export;

import dev.palisade.controller.graph.EdgeStatus;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import java.util.List;
import java.util.Set;

/**
 * The NetworkPolicies drafted for one namespace, with the evidence behind each rule and what could
 * not be expressed. Kept apart from the YAML text so tests and callers can inspect the objects.
 *
 * @param skipped edges or workloads left out, each with the reason, in words for a comment
 */
public record PolicyExport(String namespace, Set<EdgeStatus> statuses, List<Draft> policies, List<String> skipped) {
  public PolicyExport {
    statuses = Set.copyOf(statuses);
    policies = List.copyOf(policies);
    skipped = List.copyOf(skipped);
  }

  /**
   * One policy and its comments.
   *
   * @param workload the vertex the policy selects ({@code NS/KIND/NAME})
   * @param notes comment lines about the policy as a whole (shown above it)
   * @param ruleNotes comment lines for each rule, in the order of the policy's ingress or egress rules
   */
  public record Draft(NetworkPolicy policy, String workload, List<String> notes, List<List<String>> ruleNotes) {
    public Draft {
      notes = List.copyOf(notes);
      ruleNotes = ruleNotes.stream().map(List::copyOf).toList();
    }
  }
}
