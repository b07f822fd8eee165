package dev.palisade.model;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * DNS names and name patterns as policy writes them: an exact name ({@code api.payments.example})
 * or {@code *.SUFFIX}, where {@code *} stands for one or more leading labels (so
 * {@code *.s3.example} matches {@code a.s3.example} and {@code a.b.s3.example}, never
 * {@code s3.example} itself). Names compare without case and without a trailing dot. Lives in
 * the model because the AllowList reader, the flow key and the agent must agree on the syntax.
 */
public final class NamePatterns {
  private static final Pattern LABEL = Pattern.compile("[a-z0-9_]([-a-z0-9_]{0,61}[a-z0-9_])?");
  private static final int MAX_NAME = 253;

  private NamePatterns() {}

  /** The name as compared: lower case, no trailing dot. */
  public static String normalize(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
  }

  /** A DNS name: at least two labels of letters, digits, '-' and '_', at most 253 characters. */
  public static boolean isName(String name) {
    if (name == null || name.isEmpty() || name.length() > MAX_NAME + 1) {
      return false;
    }
    String n = normalize(name);
    if (n.isEmpty() || n.length() > MAX_NAME) {
      return false;
    }
    String[] labels = n.split("\\.", -1);
    if (labels.length < 2) {
      return false;
    }
    for (String l : labels) {
      if (!LABEL.matcher(l).matches()) {
        return false;
      }
    }
    return true;
  }

  /** @throws IllegalArgumentException naming what is wrong with {@code pattern} */
  public static String checkPattern(String pattern) {
    if (pattern == null || pattern.isBlank()) {
      throw new IllegalArgumentException("a DNS name pattern is empty");
    }
    String p = normalize(pattern.strip());
    String name = p.startsWith("*.") ? p.substring(2) : p;
    if (!isName(name)) {
      throw new IllegalArgumentException("'" + pattern + "' is not a DNS name or *.NAME pattern (labels of a-z, 0-9,"
          + " '-', '_'; at least two labels; '*' only as the whole first label)");
    }
    return p;
  }

  /** Whether {@code name} (as resolved) matches {@code pattern} (already checked). */
  public static boolean matches(String pattern, String name) {
    String n = normalize(name);
    if (pattern.startsWith("*.")) {
      String suffix = pattern.substring(1); // ".s3.example"
      return n.length() > suffix.length() && n.endsWith(suffix);
    }
    return n.equals(pattern);
  }
}
