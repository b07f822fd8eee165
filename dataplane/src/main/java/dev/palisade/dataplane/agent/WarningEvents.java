package dev.palisade.dataplane.agent;

import dev.palisade.model.cnp.ClusterNetworkPolicy;
import dev.palisade.model.cnp.LegacyPolicies;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.time.Instant;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bad object the agent skipped, told where its author looks: a Warning Event on it ({@code
 * kubectl describe} shows it: it finds Events by the object's kind, namespace, name and uid), from
 * component palisade-agent on the node that told first. Every agent sees the same bad object, and
 * a restarted one sees it again: the Event's name is the problem's ({@link WarningEventName}), so
 * all but the first create are refused as AlreadyExists, which means "already told". The message
 * names no node for that reason. NetworkPolicy problems are the controller's to report.
 */
final class WarningEvents implements ObjectProblems.Sink {
  private static final Logger LOG = LoggerFactory.getLogger(WarningEvents.class);
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
    // a cluster-scoped object's Events go to "default", as kubelet's of a Node do (kubectl
    // describe looks in every namespace for an object without one)
    String ns = p.namespace() == null ? "default" : p.namespace();
    String now = Instant.now().toString();
    String name = WarningEventName.of(p, REASON);
    try {
      client.v1().events().inNamespace(ns).resource(new EventBuilder()
          .withNewMetadata()
          .withNamespace(ns)
          .withName(name)
          .endMetadata()
          .withInvolvedObject(new ObjectReferenceBuilder().withApiVersion(apiVersion).withKind(p.kind())
              .withNamespace(p.namespace()).withName(p.name()).withUid(p.uid()).build())
          .withType("Warning").withReason(REASON)
          .withMessage("skipped by the Palisade agents: " + p.message())
          .withNewSource().withComponent("palisade-agent").withHost(nodeName).endSource()
          .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
          .build()).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
        throw e;
      }
      LOG.debug("{}: {} was told already (Event {}/{})", nodeName, p.where(), ns, name);
    }
  }
}
