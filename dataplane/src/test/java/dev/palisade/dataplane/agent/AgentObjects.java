package dev.palisade.dataplane.agent;

import dev.palisade.model.crd.AllowList;
import dev.palisade.model.crd.AllowListSpec;
import dev.palisade.model.crd.SegmentationMode;
import dev.palisade.model.crd.SegmentationModeSpec;
import dev.palisade.model.crd.WorkloadIdentity;
import dev.palisade.model.crd.WorkloadIdentitySpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.ArrayList;
import java.util.List;

/** The palisade.dev objects the agent's tests put in its cluster, shaped as the controller writes them. */
final class AgentObjects {
  private AgentObjects() {}

  /** {@code kind} may be null: an identity the agent must skip. */
  static WorkloadIdentity identity(String ns, String workload, String kind, long id) {
    WorkloadIdentity wi = new WorkloadIdentity();
    wi.setMetadata(new ObjectMetaBuilder().withNamespace(ns).withName(workload).build());
    wi.setSpec(new WorkloadIdentitySpec());
    wi.getSpec().kind = kind;
    wi.getSpec().name = workload;
    wi.getSpec().id = id;
    return wi;
  }

  /** An enforcing list at revision 1; its rule lists are copies a test may change (nulls kept). */
  static AllowList allowList(String ns, String name, long id, List<AllowListSpec.Rule> ingress,
      List<AllowListSpec.Rule> egress) {
    AllowList l = new AllowList();
    l.setMetadata(new ObjectMetaBuilder().withNamespace(ns).withName(name).build());
    l.setSpec(new AllowListSpec());
    l.getSpec().identity = id;
    l.getSpec().revision = 1;
    l.getSpec().mode = "enforce";
    l.getSpec().ingress = new ArrayList<>(ingress);
    l.getSpec().egress = new ArrayList<>(egress);
    return l;
  }

  /** TCP from or to identity {@code peer} on {@code ports} ("N" or "N-M"). */
  static AllowListSpec.Rule rule(long peer, String ports) {
    AllowListSpec.Rule r = new AllowListSpec.Rule();
    r.peerIdentity = peer;
    r.protocol = "TCP";
    r.ports = ports;
    return r;
  }

  static SegmentationMode segmentationMode(String ns, String name, String mode) {
    SegmentationMode m = new SegmentationMode();
    m.setMetadata(new ObjectMetaBuilder().withNamespace(ns).withName(name).build());
    m.setSpec(new SegmentationModeSpec());
    m.getSpec().mode = mode;
    return m;
  }
}
