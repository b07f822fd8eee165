package dev.palisade.lab.kube;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A CronJob's schedule, read as Kubernetes reads it (robfig/cron's standard parser): five fields,
 * minute hour day-of-month month day-of-week, each {@code *} or {@code ?}, a value, a range
 * {@code a-b}, any of them with a step {@code /n}, or a comma-separated list of those; month and
 * weekday names (JAN, MON); 7 is Sunday as 0 is; and the macros {@code @yearly @annually @monthly
 * @weekly @daily @midnight @hourly}. As in cron, when both day fields are restricted a day matches
 * if either does. Pure and immutable; {@link #next} finds the next matching minute in a zone.
 */
public final class CronSchedule {
  private static final Map<String, String> MACROS = Map.of("@yearly", "0 0 1 1 *", "@annually", "0 0 1 1 *",
      "@monthly", "0 0 1 * *", "@weekly", "0 0 * * 0", "@daily", "0 0 * * *", "@midnight", "0 0 * * *",
      "@hourly", "0 * * * *");
  private static final List<String> MONTHS = List.of("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP",
      "OCT", "NOV", "DEC");
  private static final List<String> DAYS = List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT");
  /** No schedule waits longer than this for its next time (a 29 February every 8 years at worst). */
  private static final int MAX_YEARS = 9;

  private final String text;
  private final BitSet minutes;
  private final BitSet hours;
  private final BitSet daysOfMonth;
  private final BitSet months;
  private final BitSet daysOfWeek;
  private final boolean domStar;
  private final boolean dowStar;

  private CronSchedule(String text, String[] f) {
    this.text = text;
    minutes = field("minute", f[0], 0, 59, List.of());
    hours = field("hour", f[1], 0, 23, List.of());
    daysOfMonth = field("day of month", f[2], 1, 31, List.of());
    months = field("month", f[3], 1, 12, MONTHS);
    BitSet dow = field("day of week", f[4], 0, 7, DAYS);
    if (dow.get(7)) {
      dow.set(0);
      dow.clear(7);
    }
    daysOfWeek = dow;
    domStar = f[2].startsWith("*") || f[2].equals("?");
    dowStar = f[4].startsWith("*") || f[4].equals("?");
  }

  /** @throws IllegalArgumentException naming the bad field and why */
  public static CronSchedule parse(String schedule) {
    if (schedule == null || schedule.isBlank()) {
      throw new IllegalArgumentException("empty cron schedule");
    }
    String s = schedule.strip();
    if (s.startsWith("TZ=") || s.startsWith("CRON_TZ=")) {
      throw new IllegalArgumentException("cron schedule '" + schedule + "': TZ in the schedule is not allowed; use"
          + " spec.timeZone");
    }
    if (s.startsWith("@")) {
      String expanded = MACROS.get(s.toLowerCase(Locale.ROOT));
      if (expanded == null) {
        throw new IllegalArgumentException("cron schedule '" + schedule + "': unknown macro (expected one of "
            + new java.util.TreeSet<>(MACROS.keySet()) + ")");
      }
      s = expanded;
    }
    String[] f = s.split("\\s+");
    if (f.length != 5) {
      throw new IllegalArgumentException("cron schedule '" + schedule + "': expected 5 fields (minute hour"
          + " day-of-month month day-of-week), found " + f.length);
    }
    try {
      return new CronSchedule(schedule, f);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("cron schedule '" + schedule + "': " + e.getMessage(), e);
    }
  }

  private static BitSet field(String name, String text, int min, int max, List<String> names) {
    BitSet bits = new BitSet(max + 1);
    for (String part : text.split(",", -1)) {
      if (part.isEmpty()) {
        throw new IllegalArgumentException(name + " '" + text + "' has an empty list element");
      }
      int step = 1;
      String range = part;
      int slash = part.indexOf('/');
      if (slash >= 0) {
        range = part.substring(0, slash);
        step = number(name, part.substring(slash + 1), List.of());
        if (step < 1) {
          throw new IllegalArgumentException(name + " step must be at least 1 in '" + part + "'");
        }
      }
      int lo;
      int hi;
      if (range.equals("*") || range.equals("?")) {
        lo = min;
        hi = max;
      } else {
        int dash = range.indexOf('-');
        if (dash >= 0) {
          lo = number(name, range.substring(0, dash), names);
          hi = number(name, range.substring(dash + 1), names);
        } else {
          lo = number(name, range, names);
          hi = slash >= 0 ? max : lo; // "5/15" means from 5 every 15, as in robfig/cron
        }
      }
      if (lo < min || hi > max || lo > hi) {
        throw new IllegalArgumentException(name + " '" + part + "' is outside " + min + "-" + max
            + (lo > hi ? " or the range is backwards" : ""));
      }
      for (int v = lo; v <= hi; v += step) {
        bits.set(v);
      }
    }
    return bits;
  }

  private static int number(String name, String text, List<String> names) {
    int i = names.indexOf(text.toUpperCase(Locale.ROOT));
    if (i >= 0) {
      return names == MONTHS ? i + 1 : i;
    }
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " has '" + text + "', which is not a number"
          + (names.isEmpty() ? "" : " or a name"));
    }
  }

  /** Whether this minute (in its zone) is a scheduled time. */
  public boolean matches(ZonedDateTime t) {
    return minutes.get(t.getMinute()) && hours.get(t.getHour()) && months.get(t.getMonthValue()) && dayMatches(t);
  }

  private boolean dayMatches(ZonedDateTime t) {
    boolean dom = daysOfMonth.get(t.getDayOfMonth());
    boolean dow = daysOfWeek.get(t.getDayOfWeek() == DayOfWeek.SUNDAY ? 0 : t.getDayOfWeek().getValue());
    return domStar || dowStar ? dom && dow : dom || dow;
  }

  /** The first scheduled time strictly after {@code after}, in the zone; null if there is none (30 February). */
  public Instant next(Instant after, ZoneId zone) {
    ZonedDateTime t = after.atZone(zone).truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
    ZonedDateTime end = t.plusYears(MAX_YEARS);
    while (t.isBefore(end)) {
      if (!months.get(t.getMonthValue())) {
        t = t.withDayOfMonth(1).truncatedTo(ChronoUnit.DAYS).plusMonths(1);
      } else if (!dayMatches(t)) {
        t = t.truncatedTo(ChronoUnit.DAYS).plusDays(1);
      } else if (!hours.get(t.getHour())) {
        t = t.truncatedTo(ChronoUnit.HOURS).plusHours(1);
      } else if (!minutes.get(t.getMinute())) {
        t = t.plusMinutes(1);
      } else {
        return t.toInstant();
      }
    }
    return null;
  }

  /**
   * The latest scheduled time in {@code (earliest, now]}, or null; with how many were missed it
   * is what the CronJob controller runs (only the most recent of several missed times).
   */
  public Instant mostRecent(Instant earliest, Instant now, ZoneId zone) {
    Instant last = null;
    Instant t = next(earliest, zone);
    int guard = 0;
    while (t != null && !t.isAfter(now) && guard++ < 1_000_000) {
      last = t;
      t = next(t, zone);
    }
    return last;
  }

  @Override
  public String toString() {
    return text;
  }
}
