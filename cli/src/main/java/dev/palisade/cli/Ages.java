package dev.palisade.cli;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * Times in CLI tables as operators read them in kubectl: how long ago, "45s", "3m20s", "5h", "12d".
 * The rounding is kubectl's (apimachinery's HumanDuration): more detail for short ages, less as
 * they grow. Pure: the caller passes now.
 */
final class Ages {
  private Ages() {}

  /** "3m20s ago"; "-" when there is no time (0 or negative epoch millis). */
  static String agoEpochMillis(long epochMillis, Instant now) {
    return epochMillis <= 0 ? "-" : ago(Instant.ofEpochMilli(epochMillis), now);
  }

  /** "3m20s ago" for an ISO-8601 instant; "-" when blank; the text itself when it is not an instant. */
  static String agoIso(String iso, Instant now) {
    if (iso == null || iso.isBlank()) {
      return "-";
    }
    try {
      return ago(Instant.parse(iso), now);
    } catch (DateTimeParseException e) {
      return iso; // a format we do not know: show what the controller said rather than hide it
    }
  }

  /** "3m20s ago", or "in 5s" for a time ahead of this machine's clock by more than a second. */
  static String ago(Instant then, Instant now) {
    Duration d = Duration.between(then, now);
    if (d.compareTo(Duration.ofSeconds(-1)) < 0) {
      return "in " + human(d.negated());
    }
    return human(d.isNegative() ? Duration.ZERO : d) + " ago";
  }

  /** kubectl's HumanDuration for a non-negative duration. */
  static String human(Duration d) {
    if (d.isNegative()) {
      throw new IllegalArgumentException("a duration to print must not be negative, got " + d);
    }
    long seconds = d.toSeconds();
    if (seconds < 120) {
      return seconds + "s";
    }
    long minutes = d.toMinutes();
    if (minutes < 10) {
      return withPart(minutes, "m", seconds % 60, "s");
    }
    if (minutes < 180) {
      return minutes + "m";
    }
    long hours = d.toHours();
    if (hours < 8) {
      return withPart(hours, "h", minutes % 60, "m");
    }
    if (hours < 48) {
      return hours + "h";
    }
    long days = hours / 24;
    if (hours < 24 * 8) {
      return withPart(days, "d", hours % 24, "h");
    }
    if (hours < 24 * 365 * 2) {
      return days + "d";
    }
    if (hours < 24 * 365 * 8) {
      return withPart(days / 365, "y", days % 365, "d");
    }
    return days / 365 + "y";
  }

  private static String withPart(long whole, String unit, long part, String partUnit) {
    return part == 0 ? whole + unit : whole + unit + part + partUnit;
  }
}
