package dev.palisade.dataplane.netpol;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Pure: which NetworkPolicies isolate a pod in one direction, by namespace/name. When the
 * compiled rules say NetworkPolicy dropped a connection, these are the policies a developer must
 * read (none of their rules matched), so {@code palisade why} names them. Invalid policies are
 * skipped, as the compiler skips them.
 */
public final class IsolatingPolicies {
  private IsolatingPolicies() {}

  /** namespace/name of each valid policy selecting {@code pod} whose policyTypes hold the direction; sorted. */
  public static List<String> of(List<NetworkPolicy> policies, Pod pod, boolean ingress) {
    String ns = pod.getMetadata().getNamespace();
    Map<String, String> labels = pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
    TreeSet<String> out = new TreeSet<>();
    for (NetworkPolicy np : policies) {
      if (np.getMetadata() == null || !ns.equals(np.getMetadata().getNamespace())) {
        continue;
      }
      CompiledPolicy p;
      try {
        p = PolicyReader.read(np, new ArrayList<>());
      } catch (RuntimeException e) {
        continue;
      }
      if (p != null && (ingress ? p.isolatesIngress() : p.isolatesEgress()) && p.podSelector().test(labels)) {
        out.add(p.ref());
      }
    }
    return List.copyOf(out);
  }
}
