package dev.palisade.lab.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The cron parser, one table row per schedule: the next time after a given time, in UTC unless said. */
class CronScheduleTest {
  private static final ZoneId UTC = ZoneId.of("UTC");

  @ParameterizedTest(name = "{0} after {1} is {2}")
  @CsvSource(delimiter = '|', textBlock = """
      * * * * *            | 2026-03-01T10:00:30Z | 2026-03-01T10:01:00Z
      * * * * *            | 2026-03-01T10:00:00Z | 2026-03-01T10:01:00Z
      */15 * * * *         | 2026-03-01T10:01:00Z | 2026-03-01T10:15:00Z
      */15 * * * *         | 2026-03-01T10:45:00Z | 2026-03-01T11:00:00Z
      5/20 * * * *         | 2026-03-01T10:06:00Z | 2026-03-01T10:25:00Z
      0 9-17/4 * * *       | 2026-03-01T10:00:00Z | 2026-03-01T13:00:00Z
      0 9-17/4 * * *       | 2026-03-01T17:00:00Z | 2026-03-02T09:00:00Z
      30 2 * * *           | 2026-03-01T02:30:00Z | 2026-03-02T02:30:00Z
      0,30 8,20 * * *      | 2026-03-01T08:40:00Z | 2026-03-01T20:00:00Z
      0 0 1 * *            | 2026-01-31T12:00:00Z | 2026-02-01T00:00:00Z
      0 0 31 * *           | 2026-04-01T00:00:00Z | 2026-05-31T00:00:00Z
      0 0 29 2 *           | 2026-03-01T00:00:00Z | 2028-02-29T00:00:00Z
      0 12 * * MON-FRI     | 2026-03-06T12:00:00Z | 2026-03-09T12:00:00Z
      0 12 * * 1-5         | 2026-03-07T00:00:00Z | 2026-03-09T12:00:00Z
      0 0 * * 7            | 2026-03-02T00:00:00Z | 2026-03-08T00:00:00Z
      0 0 * * sun          | 2026-03-02T00:00:00Z | 2026-03-08T00:00:00Z
      0 0 * JAN,jul *      | 2026-03-01T00:00:00Z | 2026-07-01T00:00:00Z
      0 0 13 * FRI         | 2026-03-01T00:00:00Z | 2026-03-06T00:00:00Z
      0 0 13 * 5           | 2026-03-07T00:00:00Z | 2026-03-13T00:00:00Z
      0 0 ? * ?            | 2026-03-01T00:00:00Z | 2026-03-02T00:00:00Z
      @hourly              | 2026-03-01T10:59:59Z | 2026-03-01T11:00:00Z
      @daily               | 2026-03-01T10:00:00Z | 2026-03-02T00:00:00Z
      @midnight            | 2026-03-01T10:00:00Z | 2026-03-02T00:00:00Z
      @weekly              | 2026-03-02T10:00:00Z | 2026-03-08T00:00:00Z
      @monthly             | 2026-03-02T10:00:00Z | 2026-04-01T00:00:00Z
      @yearly              | 2026-03-02T10:00:00Z | 2027-01-01T00:00:00Z
      @annually            | 2026-03-02T10:00:00Z | 2027-01-01T00:00:00Z
      """)
  void nextTime(String schedule, String after, String expected) {
    assertEquals(Instant.parse(expected), CronSchedule.parse(schedule).next(Instant.parse(after), UTC));
  }

  @ParameterizedTest(name = "{0} is refused: {1}")
  @CsvSource(delimiter = '|', textBlock = """
      * * * *          | expected 5 fields
      * * * * * *      | expected 5 fields
      60 * * * *       | outside 0-59
      * 24 * * *       | outside 0-23
      * * 0 * *        | outside 1-31
      * * * 13 *       | outside 1-12
      * * * * 8        | outside 0-7
      */0 * * * *      | at least 1
      5-1 * * * *      | backwards
      x * * * *        | not a number
      1,,2 * * * *     | empty list element
      @often           | unknown macro
      CRON_TZ=UTC * * * * * | spec.timeZone
      """)
  void badSchedulesAreRefusedWithTheReason(String schedule, String reason) {
    var e = assertThrows(IllegalArgumentException.class, () -> CronSchedule.parse(schedule));
    assertTrue(e.getMessage().contains(reason), e.getMessage());
    assertTrue(e.getMessage().contains(schedule.strip()), e.getMessage());
  }

  @ParameterizedTest(name = "{0} in {1} after {2} is {3}")
  @CsvSource(delimiter = '|', textBlock = """
      0 9 * * *   | Europe/Berlin    | 2026-03-01T00:00:00Z | 2026-03-01T08:00:00Z
      0 9 * * *   | America/New_York | 2026-07-01T00:00:00Z | 2026-07-01T13:00:00Z
      """)
  void timeZones(String schedule, String zone, String after, String expected) {
    assertEquals(Instant.parse(expected), CronSchedule.parse(schedule).next(Instant.parse(after), ZoneId.of(zone)));
  }

  @ParameterizedTest(name = "most recent of {0} in ({1}, {2}] is {3}")
  @CsvSource(delimiter = '|', nullValues = "none", textBlock = """
      */10 * * * * | 2026-03-01T10:00:00Z | 2026-03-01T10:35:00Z | 2026-03-01T10:30:00Z
      */10 * * * * | 2026-03-01T10:00:00Z | 2026-03-01T10:09:59Z | none
      */10 * * * * | 2026-03-01T10:00:00Z | 2026-03-01T10:10:00Z | 2026-03-01T10:10:00Z
      @hourly      | 2026-03-01T10:00:00Z | 2026-03-03T10:30:00Z | 2026-03-03T10:00:00Z
      """)
  void mostRecentMissedTime(String schedule, String earliest, String now, String expected) {
    Instant got = CronSchedule.parse(schedule).mostRecent(Instant.parse(earliest), Instant.parse(now), UTC);
    assertEquals(expected == null ? null : Instant.parse(expected), got);
  }

  @org.junit.jupiter.api.Test
  void aDayThatNeverComesHasNoNextTime() {
    assertNull(CronSchedule.parse("0 0 30 2 *").next(Instant.parse("2026-01-01T00:00:00Z"), UTC));
  }
}
