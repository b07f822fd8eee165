package dev.palisade.dataplane.agent;

import dev.palisade.dataplane.agent.ObjectProblems.Problem;
import dev.palisade.dataplane.render.KeptWhileUsed;
import dev.palisade.model.IdentityPolicy;
import dev.palisade.model.crd.AllowList;
import dev.palisade.model.crd.AllowListCodec;
import dev.palisade.model.crd.WorkloadIdentity;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link NodeRulesCalculator} read from each AllowList and the WorkloadIdentity list, kept
 * from one sync to the next while the informer holds the same objects: an informer replaces an
 * object on every update and never mutates one it handed out, so the same instance has the same
 * reading. Parsing every AllowList again (ports, CIDRs, modes) was a tenth of a sync at 10k pods
 * whatever the event. A reading is a pure function of its object, so a sync that threw leaves
 * nothing wrong here. Entries the latest sync did not use are dropped. Not thread-safe: the
 * agent's sync thread owns it.
 */
final class ObjectReadings {
  /** An AllowList read: its policy, or the problem that skips it. */
  private record ListReading(IdentityPolicy policy, Problem problem) {}

  private final KeptWhileUsed<AllowList, ListReading> lists = new KeptWhileUsed<>(IdentityHashMap::new);
  /** The AllowList objects {@link #lastPolicies} was read from; null: none yet (or a reading threw). */
  private List<AllowList> lastLists;
  private Map<Long, IdentityPolicy> lastPolicies = Map.of();
  private List<Problem> listProblems = List.of();
  private List<WorkloadIdentity> lastIdentities = List.of();
  private Map<String, Long> idOfWorkload = Map.of();
  private List<Problem> identityProblems = List.of();

  /**
   * Each valid AllowList's policy by identity (a later list for one identity wins, as in the
   * list's order); each invalid one is added to {@code problems}: its workload is then enforced
   * per its SegmentationMode, with nothing approved.
   */
  Map<Long, IdentityPolicy> policies(List<AllowList> allowLists, List<Problem> problems) {
    // the same map object while the same AllowList objects: what is read from it is kept by that
    // identity downstream (LocalPods)
    if (lastLists == null || !dev.palisade.dataplane.netpol.PodViews.sameInstances(allowLists, lastLists)) {
      lastLists = null; // not trusted until made whole again
      lists.begin();
      Map<Long, IdentityPolicy> policies = new HashMap<>();
      List<Problem> mine = new ArrayList<>();
      for (AllowList al : allowLists) {
        ListReading r = lists.get(al, ObjectReadings::read);
        if (r.policy() != null) {
          policies.put(r.policy().identity(), r.policy());
        } else {
          mine.add(r.problem());
        }
      }
      lastPolicies = java.util.Collections.unmodifiableMap(policies);
      listProblems = List.copyOf(mine);
      lastLists = new ArrayList<>(allowLists);
    }
    problems.addAll(listProblems);
    return lastPolicies;
  }

  private static ListReading read(AllowList al) {
    try {
      return new ListReading(AllowListCodec.fromSpec(al.getSpec()), null);
    } catch (RuntimeException e) {
      return new ListReading(null, NodeRulesCalculator.problem("AllowList", al, e));
    }
  }

  /**
   * namespace/kind/name -> identity of every workload with a valid identity; each invalid one is
   * added to {@code problems}. The same map as last time when the list holds the same objects.
   */
  Map<String, Long> identities(List<WorkloadIdentity> identities, List<Problem> problems) {
    if (!dev.palisade.dataplane.netpol.PodViews.sameInstances(identities, lastIdentities)) {
      Map<String, Long> ids = new HashMap<>();
      List<Problem> mine = new ArrayList<>();
      for (WorkloadIdentity wi : identities) {
        var spec = wi.getSpec();
        if (spec == null || spec.kind == null || spec.name == null) {
          mine.add(NodeRulesCalculator.problem("WorkloadIdentity", wi, "no spec, or no kind or name in it"));
          continue;
        }
        ids.put(wi.getMetadata().getNamespace() + "/" + spec.kind + "/" + spec.name, spec.id);
      }
      idOfWorkload = java.util.Collections.unmodifiableMap(ids);
      identityProblems = List.copyOf(mine);
      lastIdentities = new ArrayList<>(identities);
    }
    problems.addAll(identityProblems);
    return idOfWorkload;
  }
}
