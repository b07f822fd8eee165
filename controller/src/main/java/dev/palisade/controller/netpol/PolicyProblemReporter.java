package dev.palisade.controller.netpol;

import dev.palisade.controller.access.ControllerAccess;
import dev.palisade.controller.events.ObjectWarnings;
import dev.palisade.dataplane.netpol.NetworkPolicyCompiler;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.List;
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
  /** Written on the informer's thread: a resync does not repeat the Event. */
  private final ObjectWarnings warnings;
  private SharedIndexInformer<NetworkPolicy> informer;

  public PolicyProblemReporter(KubernetesClient client) {
    this.client = client;
    this.warnings = new ObjectWarnings(client, REASON, Runnable::run);
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
        warnings.forget(ObjectWarnings.referenceTo(np));
      }
    }, 0);
    return this;
  }

  /** Reports the policy if it is invalid; returns its problems (empty when valid). */
  public List<String> check(NetworkPolicy np) {
    List<String> problems = NetworkPolicyCompiler.problems(np);
    ObjectReference ref = ObjectWarnings.referenceTo(np);
    if (problems.isEmpty()) {
      warnings.forget(ref);
      return problems;
    }
    String message = "ignored by Palisade, nothing it allows or denies is enforced: " + String.join("; ", problems);
    if (warnings.warn(ref, String.valueOf(np.getMetadata().getResourceVersion()), message)) {
      LOG.error("NetworkPolicy {}/{} {}", np.getMetadata().getNamespace(), np.getMetadata().getName(), message);
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
