package dev.palisade.controller.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tokens generated at start-up (lab) or read from a file: each maps to one principal. Lookups
 * compare digests in constant time so a caller cannot time its way to a valid token.
 */
public final class StaticTokens implements Authenticator {
  private static final SecureRandom RANDOM = new SecureRandom();
  private final Map<String, Principal> byDigest = new ConcurrentHashMap<>();

  /** A fresh random token (256 bits, hex). */
  public static String newToken() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  /** Registers a token for a principal; tokens shorter than 16 characters are refused. */
  public StaticTokens add(String token, Principal principal) {
    if (token == null || token.length() < 16) {
      throw new IllegalArgumentException("token for " + (principal == null ? "?" : principal.name())
          + " must be at least 16 characters");
    }
    byDigest.put(digest(token), principal);
    return this;
  }

  /** Generates, registers and returns a token for the principal. */
  public String issue(Principal principal) {
    String t = newToken();
    add(t, principal);
    return t;
  }

  @Override
  public Optional<Principal> authenticate(String bearerToken) {
    if (bearerToken == null || bearerToken.isEmpty()) {
      return Optional.empty();
    }
    String d = digest(bearerToken);
    Principal found = null;
    for (var e : byDigest.entrySet()) {
      if (MessageDigest.isEqual(e.getKey().getBytes(StandardCharsets.US_ASCII), d.getBytes(StandardCharsets.US_ASCII))) {
        found = e.getValue();
      }
    }
    return Optional.ofNullable(found);
  }

  private static String digest(String token) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JDK", e);
    }
  }
}
