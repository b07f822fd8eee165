package dev.palisade.cli.logging;

import java.util.function.Function;
import org.slf4j.event.Level;

/**
 * The level of a logger, read from the same keys slf4j-simple reads (simplelogger.properties, then
 * system properties over it), so the JSON format logs exactly what the text format would:
 * {@code org.slf4j.simpleLogger.log.NAME} for the longest dotted prefix of the logger's name,
 * else {@code org.slf4j.simpleLogger.defaultLogLevel}, else info.
 */
final class LogLevels {
  static final String PREFIX = "org.slf4j.simpleLogger.log.";
  static final String DEFAULT = "org.slf4j.simpleLogger.defaultLogLevel";
  /** Above ERROR: a logger set to "off" logs nothing. */
  static final int OFF = Level.ERROR.toInt() + 10;

  private LogLevels() {}

  /** The lowest level (as {@link Level#toInt()}) that the named logger writes. */
  static int threshold(Function<String, String> config, String loggerName) {
    String name = loggerName;
    while (true) {
      String v = config.apply(PREFIX + name);
      if (v != null) {
        return parse(v, PREFIX + name);
      }
      int dot = name.lastIndexOf('.');
      if (dot < 0) {
        break;
      }
      name = name.substring(0, dot);
    }
    String v = config.apply(DEFAULT);
    return v == null ? Level.INFO.toInt() : parse(v, DEFAULT);
  }

  static int parse(String value, String key) {
    return switch (value.strip().toLowerCase(java.util.Locale.ROOT)) {
      case "trace" -> Level.TRACE.toInt();
      case "debug" -> Level.DEBUG.toInt();
      case "info" -> Level.INFO.toInt();
      case "warn" -> Level.WARN.toInt();
      case "error" -> Level.ERROR.toInt();
      case "off" -> OFF;
      default -> throw new IllegalArgumentException(key + " must be trace, debug, info, warn, error or off, not '"
          + value + "'");
    };
  }
}
