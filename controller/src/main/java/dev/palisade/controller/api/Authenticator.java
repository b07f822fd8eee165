package dev.palisade.controller.api;

import java.util.Optional;

/**
 * Turns a bearer token into a caller. The lab uses generated tokens ({@link StaticTokens}); in a
 * cluster, agents present ServiceAccount tokens checked by a TokenReview.
 */
public interface Authenticator {
  Optional<Principal> authenticate(String bearerToken);
}
