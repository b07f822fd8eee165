package dev.palisade.cli.logging;

import java.util.Locale;

/**
 * Chooses the log format from {@code PALISADE_LOG_FORMAT} before anything logs: "text" (the
 * default, slf4j-simple's lines) or "json" (one JSON object a line for log pipelines, by
 * {@link JsonLogProvider}). The lab passes its environment to the controller and agents it runs.
 */
public final class LogFormat {
  public static final String ENV = "PALISADE_LOG_FORMAT";

  private LogFormat() {}

  /**
   * Selects the slf4j provider for the format named; must run before the first logger is made.
   *
   * @throws IllegalArgumentException for a format that is neither text nor json
   */
  public static void select(String format) {
    if (isJson(format)) {
      System.setProperty("slf4j.provider", JsonLogProvider.class.getName());
      // slf4j says on stderr, as plain text, which provider it loaded: not in a JSON stream
      System.setProperty("slf4j.internal.verbosity", "WARN");
    }
  }

  /** True for json, false for text or nothing; anything else is a mistake worth stopping for. */
  static boolean isJson(String format) {
    if (format == null || format.isBlank()) {
      return false;
    }
    return switch (format.strip().toLowerCase(Locale.ROOT)) {
      case "json" -> true;
      case "text" -> false;
      default -> throw new IllegalArgumentException(ENV + " must be text or json, not '" + format + "'");
    };
  }
}
