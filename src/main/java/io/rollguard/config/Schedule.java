package io.rollguard.config;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.TemporalAdjusters;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * When a report is due: {@code daily at HH:MM} or {@code weekly on DAY at HH:MM}, in a time zone. A
 * slot is a local time on a local date: across DST it stays at the same wall-clock time. On the day
 * a time does not exist (the clocks jump over it) the slot is that much later (02:30 becomes
 * 03:30); on the day it exists twice (the clocks go back) the slot is the first of the two.
 * Immutable.
 */
public final class Schedule {

  private static final Pattern DAILY =
      Pattern.compile("(?:daily|every day) at (\\d{1,2}:\\d{2})", Pattern.CASE_INSENSITIVE);
  private static final Pattern WEEKLY =
      Pattern.compile(
          "(?:weekly|every week) on ([a-z]+) at (\\d{1,2}:\\d{2})", Pattern.CASE_INSENSITIVE);

  private final String text;
  private final DayOfWeek day; // null: every day
  private final LocalTime time;
  private final ZoneId zone;

  private Schedule(String text, DayOfWeek day, LocalTime time, ZoneId zone) {
    this.text = text;
    this.day = day;
    this.time = time;
    this.zone = zone;
  }

  /**
   * Reads {@code daily at 09:00} or {@code weekly on monday at 09:00}.
   *
   * @throws IllegalArgumentException saying what is expected
   */
  public static Schedule parse(String text, ZoneId zone) {
    String t = text.strip().replaceAll("\\s+", " ");
    Matcher d = DAILY.matcher(t);
    if (d.matches()) {
      return new Schedule(t, null, time(d.group(1)), zone);
    }
    Matcher w = WEEKLY.matcher(t);
    if (w.matches()) {
      return new Schedule(t, day(w.group(1)), time(w.group(2)), zone);
    }
    throw new IllegalArgumentException(
        "schedule must look like 'daily at 09:00' or 'weekly on monday at 09:00', got '"
            + text
            + "'");
  }

  private static LocalTime time(String hhmm) {
    try {
      return LocalTime.parse(hhmm.length() == 4 ? "0" + hhmm : hhmm);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("'" + hhmm + "' is not a time of day (00:00 to 23:59)");
    }
  }

  private static DayOfWeek day(String name) {
    for (DayOfWeek d : DayOfWeek.values()) {
      String full = d.name().toLowerCase(Locale.ROOT);
      if (full.equals(name.toLowerCase(Locale.ROOT))
          || full.substring(0, 3).equals(name.toLowerCase(Locale.ROOT))) {
        return d;
      }
    }
    throw new IllegalArgumentException("'" + name + "' is not a day of the week");
  }

  /** The span a report covers by default: a day for daily reports, a week for weekly ones. */
  public Duration defaultSpan() {
    return day == null ? Duration.ofDays(1) : Duration.ofDays(7);
  }

  public ZoneId zone() {
    return zone;
  }

  /** The latest slot at or before {@code at}. */
  public ZonedDateTime latestAtOrBefore(Instant at) {
    LocalDate date = at.atZone(zone).toLocalDate();
    if (day != null) {
      date = date.with(TemporalAdjusters.previousOrSame(day));
    }
    ZonedDateTime slot = slot(date);
    while (slot.toInstant().isAfter(at)) {
      date = date.minusDays(day == null ? 1 : 7);
      slot = slot(date);
    }
    return slot;
  }

  /** The first slot after {@code at}. */
  public ZonedDateTime nextAfter(Instant at) {
    ZonedDateTime latest = latestAtOrBefore(at);
    ZonedDateTime next = slot(latest.toLocalDate().plusDays(day == null ? 1 : 7));
    return next;
  }

  private ZonedDateTime slot(LocalDate date) {
    return ZonedDateTime.of(date, time, zone); // a gap moves it later; an overlap takes the first
  }

  @Override
  public String toString() {
    return text + " (" + zone + ")";
  }
}
