package dev.palisade.dataplane.agent;

import dev.palisade.model.cnp.ClusterNetworkPolicy;
import dev.palisade.model.cnp.LegacyPolicies;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;

/**
 * A bad object the agent skipped, told where its author looks: a Warning Event on it ({@code
 * kubectl describe} shows it), from component palisade-agent on this node. NetworkPolicy problems
 * are the controller's to report (one Event, not one per node).
 */
final class WarningEvents implements ObjectProblems.Sink {
  static final String REASON = "PalisadeSkipped";
  private static final Map<String, String> API_VERSIONS = Map.of("Pod", "v1", "Namespace", "v1",
      "AllowList", "palisade.dev/v1alpha1", "WorkloadIdentity", "palisade.dev/v1alpha1",
      "SegmentationMode", "palisade.dev/v1alpha1",
      // no controller reads cluster network policies: each agent that skips one says so
      ClusterNetworkPolicy.KIND, ClusterNetworkPolicy.API_VERSION,
      LegacyPolicies.ADMIN, LegacyPolicies.API_VERSION, LegacyPolicies.BASELINE, LegacyPolicies.API_VERSION);

  private final KubernetesClient client;
  private final String nodeName;

  WarningEvents(KubernetesClient client, String nodeName) {
    this.client = client;
    this.nodeName = nodeName;
  }

  @Override
  public void warn(ObjectProblems.Problem p) {
    String apiVersion = API_VERSIONS.get(p.kind());
    if (apiVersion == null) {
      return;
    }
    // a cluster-scoped object's Events live in "default", as kubectl describe looks for them
    String ns = p.namespace() == null ? "default" : p.namespace();
    String now = Instant.now().toString();
    client.v1().events().inNamespace(ns).resource(new EventBuilder()
        .withNewMetadata()
        .withNamespace(ns)
        .withName(p.name() + "." + Long.toHexString(System.nanoTime()).toLowerCase(Locale.ROOT))
        .endMetadata()
        .withInvolvedObject(new ObjectReferenceBuilder().withApiVersion(apiVersion).withKind(p.kind())
            .withNamespace(p.namespace()).withName(p.name()).build())
        .withType("Warning").withReason(REASON)
        .withMessage("skipped by the Palisade agent on " + nodeName + ": " + p.message())
        .withNewSource().withComponent("palisade-agent").withHost(nodeName).endSource()
        .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
        .build()).create();
  }
}
