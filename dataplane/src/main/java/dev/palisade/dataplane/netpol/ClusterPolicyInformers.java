package dev.palisade.dataplane.netpol;

import dev.palisade.model.access.ApiCall;
import dev.palisade.model.access.KubeAccess;
import dev.palisade.model.cnp.ClusterPolicyKind;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Informers for the cluster-scoped policy kinds (ClusterNetworkPolicy and the v1alpha1 kinds),
 * for the agents and for the controller's guardrails alike. These are upstream's CRDs, not
 * Palisade's, and may be absent: a kind the API server does not serve is not watched (an
 * informer of an unserved kind would never sync and hold every write back); a CRD installed
 * later is picked up by the next start.
 */
public final class ClusterPolicyInformers {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterPolicyInformers.class);

  private ClusterPolicyInformers() {}

  /**
   * An informer (not started, no handler) for each kind the API server serves, in
   * {@link ClusterPolicyKind#ALL}'s order.
   *
   * @param declared what the caller's RBAC grants; a kind it may not list and watch is a bug in
   *     the declaration, not a kind to skip
   * @param who names the caller in messages, e.g. "agent lab-node-0"
   */
  public static Map<ClusterPolicyKind, SharedIndexInformer<GenericKubernetesResource>> served(KubernetesClient client,
      KubeAccess declared, String who) {
    Map<ClusterPolicyKind, SharedIndexInformer<GenericKubernetesResource>> out = new LinkedHashMap<>();
    for (ClusterPolicyKind kind : ClusterPolicyKind.ALL) {
      for (String verb : List.of("list", "watch")) {
        ApiCall c = new ApiCall(verb, kind.group(), kind.plural(), null, null);
        if (!declared.permits(c)) {
          throw new IllegalStateException(who + " may not " + c + ": declare it in its access rules");
        }
      }
      try {
        client.genericKubernetesResources(kind.context()).list(new ListOptionsBuilder().withLimit(1L).build());
      } catch (KubernetesClientException e) {
        if (e.getCode() == 404) {
          LOG.info("{}: the API server does not serve {}/{} {}; none of them is read", who, kind.group(),
              kind.version(), kind.plural());
          continue;
        }
        throw e;
      }
      out.put(kind, client.genericKubernetesResources(kind.context()).runnableInformer(0));
    }
    return out;
  }
}
