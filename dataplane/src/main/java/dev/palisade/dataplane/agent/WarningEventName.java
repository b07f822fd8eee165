package dev.palisade.dataplane.agent;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * The name of the one Warning Event that tells a problem, the same on every node and after every
 * restart: the object's name, a dot, and the first 16 hex digits of a SHA-256 over what makes the
 * problem (kind, namespace, name, uid, generation, reason, message), never the node. Another
 * agent's create of it is then refused as AlreadyExists: one Event per problem, cluster-wide. Kept
 * a DNS subdomain of at most 253 characters, as the API server requires of an Event's name.
 */
final class WarningEventName {
  static final int MAX_LENGTH = 253;
  private static final int HASH_HEX = 16;

  private WarningEventName() {}

  static String of(ObjectProblems.Problem p, String reason) {
    return prefix(p.name()) + "." + hash(p, reason);
  }

  /** The object's name as far as it fits, with the ends a DNS subdomain allows. */
  private static String prefix(String name) {
    String s = name == null ? "" : name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.-]", "-");
    s = s.substring(0, Math.min(s.length(), MAX_LENGTH - 1 - HASH_HEX));
    s = s.replaceAll("^[^a-z0-9]+|[^a-z0-9]+$", "");
    return s.isEmpty() ? "object" : s;
  }

  private static String hash(ObjectProblems.Problem p, String reason) {
    // NUL between the parts: no part has one, so no two problems join to the same text
    String text = String.join("\0", p.kind(), String.valueOf(p.namespace()), String.valueOf(p.name()),
        String.valueOf(p.uid()), String.valueOf(p.generation()), reason, String.valueOf(p.message()));
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest).substring(0, HASH_HEX);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
