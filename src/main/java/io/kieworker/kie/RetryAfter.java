package io.kieworker.kie;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * Reads a {@code Retry-After} header (RFC 9110: delay-seconds or an HTTP-date) into a wait that is
 * safe to use: never negative, never above {@link #MAX}, and never an exception, whatever the
 * header holds. Pure and thread-safe.
 */
public final class RetryAfter {
  /**
   * Longest wait honoured. Kie.ai's rate limit window is seconds long; a larger value is a broken or
   * hostile answer, and following it (a year, or Long.MAX_VALUE seconds) would stop every create.
   * After 10 minutes the worker simply asks again, and a 429 then costs nothing.
   */
  public static final Duration MAX = Duration.ofMinutes(10);

  /** Longer headers are not a number or a date: ignored without being parsed. */
  private static final int MAX_HEADER_CHARS = 64;

  private RetryAfter() {}

  /**
   * The wait a header asks for, capped at {@link #MAX}; null when there is no usable header
   * (absent, blank, garbage, a negative number).
   *
   * @param nowMillis the current time, for an HTTP-date
   */
  public static Duration parse(String header, long nowMillis) {
    if (header == null || header.isBlank() || header.length() > MAX_HEADER_CHARS) {
      return null;
    }
    String value = header.trim();
    if (isDigits(value)) {
      return seconds(value);
    }
    if (value.startsWith("-") && isDigits(value.substring(1))) {
      return null; // a negative delay is invalid
    }
    return httpDate(value, nowMillis);
  }

  /** {@code wait} capped at {@link #MAX}, floored at zero; null stays null. */
  public static Duration capped(Duration wait) {
    return capped(wait, MAX);
  }

  /** {@code wait} capped at {@code max}, floored at zero; null stays null. */
  public static Duration capped(Duration wait, Duration max) {
    if (wait == null) {
      return null;
    }
    if (wait.isNegative()) {
      return Duration.ZERO;
    }
    return wait.compareTo(max) > 0 ? max : wait;
  }

  /** Any number of digits: anything longer than {@link #MAX} in seconds is capped, not overflowed. */
  private static Duration seconds(String digits) {
    String significant = digits.replaceFirst("^0+(?=.)", "");
    if (significant.length() > 9) {
      return MAX;
    }
    return capped(Duration.ofSeconds(Long.parseLong(significant)));
  }

  private static Duration httpDate(String value, long nowMillis) {
    try {
      long at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli();
      return capped(Duration.ofMillis(Math.max(0, at - nowMillis)));
    } catch (DateTimeParseException | ArithmeticException e) {
      return null;
    }
  }

  private static boolean isDigits(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }
}
