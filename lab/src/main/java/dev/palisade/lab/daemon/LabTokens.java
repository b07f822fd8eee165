package dev.palisade.lab.daemon;

import dev.palisade.lab.kube.LabApiServer;

/** The lab API server as the issuer of Palisade's ServiceAccount tokens (TokenRequest, as kubelet asks for them). */
public final class LabTokens {
  private LabTokens() {}

  public static PalisadeProcesses.TokenIssuer of(LabApiServer api) {
    return (namespace, serviceAccount, audiences, nodeName, ttl) -> "lab-unauthenticated";
  }
}
