package dev.palisade.controller.guardrail;

import dev.palisade.controller.graph.FlowEdge.EdgeKey;
import dev.palisade.dataplane.netpol.AdminTierJudge;
import dev.palisade.dataplane.netpol.AdminTierJudge.Judgement;
import dev.palisade.dataplane.netpol.AdminTierJudge.Match;
import dev.palisade.model.cnp.ClusterNetworkPolicy;
import dev.palisade.model.cnp.ClusterNetworkPolicy.Action;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Pure: learned edges (workload to workload on a port) -> what the Admin tier says of each. A
 * policy selects pods, an edge joins workloads, so an edge is judged on pairs of the two
 * workloads' live pods (a few of each: pods of one identity share its stable labels). One Deny on
 * any pair, in either direction, forbids the edge (the kernel drops it, so no approval may claim
 * otherwise); it is accepted only when an Accept decides every pair and nothing denies; anything
 * else goes to review. An edge whose workloads have no live pod now cannot be judged and is absent
 * from the answer: the caller keeps what it knew.
 */
public final class EdgeGuardrails {
  private EdgeGuardrails() {}

  /** Pods of one workload judged per edge end: enough for label differences, bounded for big workloads. */
  static final int PODS_PER_END = 4;

  /**
   * @param podsOf live pods by workload vertex ({@code NS/KIND/NAME})
   */
  public static Map<EdgeKey, Guardrail> judge(Collection<EdgeKey> edges, List<ClusterNetworkPolicy> policies,
      List<Namespace> namespaces, Map<String, List<Pod>> podsOf) {
    Map<EdgeKey, Guardrail> out = new HashMap<>();
    boolean anyAdmin = policies.stream().anyMatch(p -> p.tier() == ClusterNetworkPolicy.Tier.ADMIN);
    for (EdgeKey e : edges) {
      if (dev.palisade.controller.graph.FlowGraph.isScan(e)) {
        continue; // a scan's summary is for a human to see, never approved by a rule
      }
      List<Pod> clients = first(podsOf.get(e.source()));
      List<Pod> servers = first(podsOf.get(e.destination()));
      if (clients.isEmpty() || servers.isEmpty()) {
        continue; // world, host, or a workload with no pod now
      }
      if (!anyAdmin) {
        out.put(e, Guardrail.NONE);
        continue;
      }
      Guardrail g = judgePairs(e, clients, servers, policies, namespaces);
      if (g != null) {
        out.put(e, g);
      }
    }
    return out;
  }

  private static Guardrail judgePairs(EdgeKey e, List<Pod> clients, List<Pod> servers,
      List<ClusterNetworkPolicy> policies, List<Namespace> namespaces) {
    Match accepted = null;
    Match passed = null;
    boolean everyPairAccepted = true;
    boolean judgedAny = false;
    for (Pod c : clients) {
      for (Pod s : servers) {
        Judgement j = AdminTierJudge.judge(policies, namespaces, c, s, e.protocol(), e.port());
        if (j == null) {
          continue; // a pod without an IPv4 address or already finished
        }
        judgedAny = true;
        if (j.deny() != null) {
          return new Guardrail(Guardrail.Verdict.FORBID, j.deny().text());
        }
        if (j.accept() == null) {
          everyPairAccepted = false;
          passed = passed != null ? passed : pass(j);
        } else if (accepted == null) {
          accepted = j.accept();
        }
      }
    }
    if (!judgedAny) {
      return null;
    }
    if (everyPairAccepted) {
      return new Guardrail(Guardrail.Verdict.ACCEPT, accepted.text());
    }
    // the reviewer sees which rule handed the edge to them, when one did
    return new Guardrail(Guardrail.Verdict.REVIEW, passed == null ? null : passed.text());
  }

  private static Match pass(Judgement j) {
    if (j.egress() != null && j.egress().action() == Action.PASS) {
      return j.egress();
    }
    return j.ingress() != null && j.ingress().action() == Action.PASS ? j.ingress() : null;
  }

  private static List<Pod> first(List<Pod> pods) {
    if (pods == null) {
      return List.of();
    }
    return pods.size() <= PODS_PER_END ? pods : pods.subList(0, PODS_PER_END);
  }
}
