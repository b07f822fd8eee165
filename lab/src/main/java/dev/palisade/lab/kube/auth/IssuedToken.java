package dev.palisade.lab.kube.auth;

import java.time.Instant;

/** A bearer token and when it stops being accepted, as a TokenRequest's status gives them. */
public record IssuedToken(String token, Instant expiresAt) {
  @Override
  public String toString() {
    // keep tokens out of logs and assertion messages
    return "IssuedToken[expiresAt=" + expiresAt + "]";
  }
}
