package io.kieworker.kie;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Tag("unit")
class RetryAfterTest {
  private static final long NOW = Instant.parse("2026-12-01T12:00:00Z").toEpochMilli();

  private static String httpDate(Instant at) {
    return DateTimeFormatter.RFC_1123_DATE_TIME.format(at.atZone(ZoneOffset.UTC));
  }

  @Test
  void secondsAreTakenAsTheyAre() {
    assertThat(RetryAfter.parse("0", NOW)).isEqualTo(Duration.ZERO);
    assertThat(RetryAfter.parse(" 7 ", NOW)).isEqualTo(Duration.ofSeconds(7));
    assertThat(RetryAfter.parse("600", NOW)).isEqualTo(Duration.ofMinutes(10));
    assertThat(RetryAfter.parse("0005", NOW)).isEqualTo(Duration.ofSeconds(5));
  }

  @ParameterizedTest
  @ValueSource(strings = {"601", "31536000", "9223372036854775807", "9223372036854775808",
      "99999999999999999999999999999999", "000000000000000000000000000001000"})
  void longOrHugeWaitsAreCappedAtTenMinutesWithoutOverflow(String header) {
    Duration wait = RetryAfter.parse(header, NOW);

    assertThat(wait).isEqualTo(RetryAfter.MAX).isEqualTo(Duration.ofMinutes(10));
    assertThat(wait.toMillis()).as("usable as a timer delay").isEqualTo(600_000);
  }

  @ParameterizedTest
  @ValueSource(strings = {"-1", "-9223372036854775809", "soon", "1.5", "0x10", "+5", "5s", "NaN", "", "   ",
      "Wed, 32 Oct 2015 07:28:00 GMT", "\u0000", "１２"})
  void negativeOrGarbageIsIgnored(String header) {
    assertThat(RetryAfter.parse(header, NOW)).isNull();
  }

  @Test
  void absentOrOverlongHeadersAreIgnored() {
    assertThat(RetryAfter.parse(null, NOW)).isNull();
    assertThat(RetryAfter.parse("1".repeat(65), NOW)).isNull();
  }

  @Test
  void httpDatesAreWaitsFromNowCappedAndNeverNegative() {
    assertThat(RetryAfter.parse(httpDate(Instant.ofEpochMilli(NOW).plusSeconds(90)), NOW))
        .isEqualTo(Duration.ofSeconds(90));
    assertThat(RetryAfter.parse(httpDate(Instant.ofEpochMilli(NOW).plus(Duration.ofDays(365))), NOW))
        .isEqualTo(RetryAfter.MAX);
    assertThat(RetryAfter.parse("Fri, 31 Dec 9999 23:59:59 GMT", NOW)).isEqualTo(RetryAfter.MAX);
    assertThat(RetryAfter.parse("Wed, 21 Oct 2015 07:28:00 GMT", NOW)).isEqualTo(Duration.ZERO);
  }

  @Test
  void cappedKeepsAnyDurationInRange() {
    assertThat(RetryAfter.capped(null)).isNull();
    assertThat(RetryAfter.capped(Duration.ofSeconds(-5))).isEqualTo(Duration.ZERO);
    assertThat(RetryAfter.capped(Duration.ofSeconds(Long.MAX_VALUE))).isEqualTo(RetryAfter.MAX);
    assertThat(RetryAfter.capped(Duration.ofSeconds(3))).isEqualTo(Duration.ofSeconds(3));
  }

  @Test
  void aHugeRetryAfterOnA429ReachesTheCallerCapped() {
    KieResult<?> r = KieClient.interpret(ErrorClassifier.Call.CREATE, 429, "9223372036854775807",
        Buffer.buffer("{\"code\":429,\"msg\":\"slow down\"}"), false);

    assertThat(r.errorClass()).isEqualTo(ErrorClass.RATE_LIMITED);
    assertThat(r.error().retryAfter()).isEqualTo(RetryAfter.MAX);
  }

  @Test
  void retryPolicyNeverWaitsLongerThanTheCapForAnyRetryAfter() {
    RetryPolicy policy = new RetryPolicy(3, Duration.ofMillis(100), Duration.ofSeconds(1), () -> 0.5);

    assertThat(policy.delay(0, Duration.ofSeconds(Long.MAX_VALUE))).isEqualTo(RetryAfter.MAX);
    assertThat(policy.delay(0, Duration.ofSeconds(-3))).isEqualTo(Duration.ofMillis(50));
  }
}
