package io.rollguard.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;

/** When reports are due, in their time zone, across day boundaries and DST changes. */
class ScheduleTest {

  private static final ZoneId PARIS = ZoneId.of("Europe/Paris");

  private static Instant at(String zoned) {
    return ZonedDateTime.parse(zoned).toInstant();
  }

  @Test
  void aDailySlotIsTheLatestWallClockTimeAtOrBeforeNow() {
    Schedule s = Schedule.parse("daily at 09:00", PARIS);
    assertThat(s.latestAtOrBefore(at("2026-12-01T08:59:59+01:00[Europe/Paris]")))
        .hasToString("2026-11-30T09:00+01:00[Europe/Paris]");
    assertThat(s.latestAtOrBefore(at("2026-12-01T09:00+01:00[Europe/Paris]")))
        .hasToString("2026-12-01T09:00+01:00[Europe/Paris]");
    // across midnight and into a new month
    assertThat(s.nextAfter(at("2026-11-30T23:59:59+01:00[Europe/Paris]")))
        .hasToString("2026-12-01T09:00+01:00[Europe/Paris]");
    assertThat(s.defaultSpan()).isEqualTo(Duration.ofDays(1));
  }

  @Test
  void acrossDstTheSlotKeepsItsWallClockTime() {
    Schedule s = Schedule.parse("daily at 09:00", PARIS);
    // 2026-10-25: clocks go back at 03:00 CEST; the day has 25 hours
    var before = s.latestAtOrBefore(at("2026-10-24T12:00+02:00[Europe/Paris]"));
    var after = s.nextAfter(before.toInstant());
    assertThat(before).hasToString("2026-10-24T09:00+02:00[Europe/Paris]");
    assertThat(after).hasToString("2026-10-25T09:00+01:00[Europe/Paris]");
    assertThat(Duration.between(before.toInstant(), after.toInstant())).hasHours(25);
    // 2026-03-29: clocks go forward at 02:00; the day has 23 hours
    var spring = s.nextAfter(at("2026-03-28T09:00+01:00[Europe/Paris]"));
    assertThat(spring).hasToString("2026-03-29T09:00+02:00[Europe/Paris]");
    assertThat(Duration.between(at("2026-03-28T09:00+01:00[Europe/Paris]"), spring.toInstant()))
        .hasHours(23);
  }

  @Test
  void aTimeTheClocksSkipIsLaterAndATimeTheyRepeatIsTheFirst() {
    Schedule skipped = Schedule.parse("daily at 02:30", PARIS);
    assertThat(skipped.nextAfter(at("2026-03-28T03:00+01:00[Europe/Paris]")))
        .hasToString("2026-03-29T03:30+02:00[Europe/Paris]");
    Schedule repeated = Schedule.parse("daily at 02:30", PARIS);
    var first = repeated.nextAfter(at("2026-10-24T03:00+02:00[Europe/Paris]"));
    assertThat(first).hasToString("2026-10-25T02:30+02:00[Europe/Paris]");
    // the second 02:30 (CET) an hour later is the same slot, not a new one
    assertThat(repeated.latestAtOrBefore(at("2026-10-25T02:45+01:00[Europe/Paris]")))
        .isEqualTo(first);
  }

  @Test
  void weeklySlotsFallOnTheirDay() {
    Schedule s = Schedule.parse("weekly on Monday at 08:30", ZoneId.of("America/New_York"));
    // Tuesday 2026-12-01: the latest is Monday 2026-11-30, the next Monday 2026-12-07
    Instant tuesday = at("2026-12-01T10:00-05:00[America/New_York]");
    assertThat(s.latestAtOrBefore(tuesday)).hasToString("2026-11-30T08:30-05:00[America/New_York]");
    assertThat(s.nextAfter(tuesday)).hasToString("2026-12-07T08:30-05:00[America/New_York]");
    // on the Monday itself, before the time: last week's
    assertThat(s.latestAtOrBefore(at("2026-11-30T08:00-05:00[America/New_York]")))
        .hasToString("2026-11-23T08:30-05:00[America/New_York]");
    assertThat(Schedule.parse("every week on fri at 17:00", ZoneId.of("UTC")).defaultSpan())
        .isEqualTo(Duration.ofDays(7));
  }

  @Test
  void badSchedulesSayWhatIsExpected() {
    assertThatThrownBy(() -> Schedule.parse("at noon", PARIS))
        .hasMessageContaining("'daily at 09:00' or 'weekly on monday at 09:00'");
    assertThatThrownBy(() -> Schedule.parse("daily at 25:00", PARIS))
        .hasMessageContaining("'25:00' is not a time of day");
    assertThatThrownBy(() -> Schedule.parse("weekly on someday at 09:00", PARIS))
        .hasMessageContaining("'someday' is not a day of the week");
  }
}
