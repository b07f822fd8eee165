package dev.palisade.controller.identity;

import dev.palisade.model.WorkloadRef;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Which workloads are the cluster DNS: those whose pods the Service kube-system/kube-dns selects.
 * Their port-53 edges are classed "dns" rather than shown as service edges a team must judge.
 * Pure: the caller passes what its informers hold.
 */
public final class DnsWorkloads {
  /** Where the cluster DNS Service lives, as an informer's key. */
  public static final String SERVICE_KEY = "kube-system/kube-dns";

  private DnsWorkloads() {}

  /**
   * @param dns the kube-dns Service, or null when there is none
   * @param kubeSystemPods the pods of namespace kube-system
   * @param workloadOfPod a pod's workload by its NS/NAME key
   * @return vertex names (NS/KIND/NAME); empty when the Service selects nothing
   */
  public static Set<String> of(Service dns, Collection<Pod> kubeSystemPods,
      Function<String, Optional<WorkloadRef>> workloadOfPod) {
    Set<String> out = new HashSet<>();
    if (dns == null || dns.getSpec() == null || dns.getSpec().getSelector() == null
        || dns.getSpec().getSelector().isEmpty()) {
      return out; // a selector-less Service selects no pods (its endpoints are managed by hand)
    }
    Map<String, String> selector = dns.getSpec().getSelector();
    for (Pod p : kubeSystemPods) {
      Map<String, String> labels = p.getMetadata().getLabels() == null ? Map.of() : p.getMetadata().getLabels();
      if (labels.entrySet().containsAll(selector.entrySet())) {
        workloadOfPod.apply(p.getMetadata().getNamespace() + "/" + p.getMetadata().getName())
            .ifPresent(w -> out.add(w.toString()));
      }
    }
    return out;
  }
}
