package dev.palisade.controller.netpol;

import dev.palisade.controller.access.ControllerAccess;
import dev.palisade.dataplane.netpol.NetworkPolicyCompiler;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the policy's author when a NetworkPolicy is invalid: a Warning Event on the object (what
 * {@code kubectl describe networkpolicy} shows) and an error in the log, once per version of the
 * policy. Agents skip such a policy whole and keep enforcing everything else; a real API server
 * would have refused most of these at write time, so silence here would hide a hole.
 */
public final class PolicyProblemReporter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PolicyProblemReporter.class);
  public static final String REASON = "InvalidNetworkPolicy";

  private final KubernetesClient client;
  /** uid -> resourceVersion already reported, so a resync does not repeat the Event. */
  private final Map<String, String> reported = new ConcurrentHashMap<>();
  private SharedIndexInformer<NetworkPolicy> informer;

  public PolicyProblemReporter(KubernetesClient client) {
    this.client = client;
  }

  public PolicyProblemReporter start() {
    ControllerAccess.DECLARED.requireWatch(NetworkPolicy.class, null);
    informer = client.resources(NetworkPolicy.class).inAnyNamespace().inform(new ResourceEventHandler<>() {
      @Override
      public void onAdd(NetworkPolicy np) {
        check(np);
      }

      @Override
      public void onUpdate(NetworkPolicy old, NetworkPolicy np) {
        check(np);
      }

      @Override
      public void onDelete(NetworkPolicy np, boolean unknown) {
        if (np.getMetadata().getUid() != null) {
          reported.remove(np.getMetadata().getUid());
        }
      }
    }, 0);
    return this;
  }

  /** Reports the policy if it is invalid; returns its problems (empty when valid). */
  public List<String> check(NetworkPolicy np) {
    List<String> problems = NetworkPolicyCompiler.problems(np);
    String uid = np.getMetadata().getUid() == null ? np.getMetadata().getNamespace() + "/" + np.getMetadata().getName()
        : np.getMetadata().getUid();
    String version = String.valueOf(np.getMetadata().getResourceVersion());
    if (problems.isEmpty()) {
      reported.remove(uid);
      return problems;
    }
    if (version.equals(reported.put(uid, version))) {
      return problems;
    }
    String message = "ignored by Palisade, nothing it allows or denies is enforced: " + String.join("; ", problems);
    LOG.error("NetworkPolicy {}/{} {}", np.getMetadata().getNamespace(), np.getMetadata().getName(), message);
    String now = Instant.now().toString();
    try {
      client.v1().events().inNamespace(np.getMetadata().getNamespace()).resource(new EventBuilder()
          .withNewMetadata()
          .withNamespace(np.getMetadata().getNamespace())
          .withName(np.getMetadata().getName() + "." + Long.toHexString(System.nanoTime()).toLowerCase(Locale.ROOT))
          .endMetadata()
          .withInvolvedObject(new ObjectReferenceBuilder().withApiVersion("networking.k8s.io/v1")
              .withKind("NetworkPolicy").withNamespace(np.getMetadata().getNamespace())
              .withName(np.getMetadata().getName()).withUid(np.getMetadata().getUid())
              .withResourceVersion(np.getMetadata().getResourceVersion()).build())
          .withType("Warning").withReason(REASON).withMessage(message)
          .withNewSource().withComponent("palisade-controller").endSource()
          .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
          .build()).create();
    } catch (KubernetesClientException e) {
      // the log line above still tells; the Event is retried with the policy's next version
      LOG.warn("could not record the Event for NetworkPolicy {}/{}: {}", np.getMetadata().getNamespace(),
          np.getMetadata().getName(), e.getMessage());
      reported.remove(uid);
    }
    return problems;
  }

  @Override
  public void close() {
    if (informer != null) {
      informer.stop();
    }
  }
}
