package dev.palisade.lab.daemon;

import dev.palisade.lab.kube.LabApiServer;
import dev.palisade.lab.kube.auth.TokenBinding;

/**
 * The lab API server as the issuer of Palisade's ServiceAccount tokens, as kubelet asks for a pod's
 * projected tokens with a TokenRequest: an agent's tokens are bound to its node, so the API server
 * puts the node's name in their TokenReview, which is how the controller knows which node reports.
 */
public final class LabTokens {
  private LabTokens() {}

  public static PalisadeProcesses.TokenIssuer of(LabApiServer api) {
    return (namespace, serviceAccount, audiences, nodeName, ttl) -> api.issueServiceAccountToken(namespace,
        serviceAccount, audiences, nodeName == null ? TokenBinding.none() : TokenBinding.node(nodeName), ttl).token();
  }
}
