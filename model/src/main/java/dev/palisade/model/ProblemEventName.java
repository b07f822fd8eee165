package dev.palisade.model;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Pure: the name of the one Warning Event that tells a problem with an object, the same from every
 * process that sees it and after every restart: the object's name, a dot, and the first 16 hex
 * digits of a SHA-256 over what makes the problem (the object's kind, namespace, name, uid, its
 * version as the teller counts them, the Event's reason, the message), never who tells it. A second
 * create of it, by another agent or a restarted controller, is then refused as AlreadyExists, which
 * means "already told": one Event per problem, cluster-wide. Kept a DNS subdomain of at most 253
 * characters, as the API server requires of an Event's name. The agents' and the controller's
 * Warning Events are named here.
 */
public final class ProblemEventName {
  public static final int MAX_LENGTH = 253;
  private static final int HASH_HEX = 16;

  private ProblemEventName() {}

  /**
   * The Event name for the problem {@code problem} (its parts in a fixed order, each as
   * {@link String#valueOf}: a null is "null") with the object named {@code objectName}.
   */
  public static String of(String objectName, Object... problem) {
    return prefix(objectName) + "." + hash(problem);
  }

  /** The object's name as far as it fits, with the ends a DNS subdomain allows. */
  private static String prefix(String name) {
    String s = name == null ? "" : name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.-]", "-");
    s = s.substring(0, Math.min(s.length(), MAX_LENGTH - 1 - HASH_HEX));
    s = s.replaceAll("^[^a-z0-9]+|[^a-z0-9]+$", "");
    return s.isEmpty() ? "object" : s;
  }

  private static String hash(Object... parts) {
    // NUL between the parts: no part has one, so no two problems join to the same text
    String text = Arrays.stream(parts).map(String::valueOf).collect(Collectors.joining("\0"));
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest).substring(0, HASH_HEX);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
