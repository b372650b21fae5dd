package io.kieworker.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {
  @ParameterizedTest
  @CsvSource({"250ms,250", "900s,900000", "15m,900000", "24h,86400000", "2d,172800000", " 5 s ,5000"})
  void parses(String text, long millis) {
    assertThat(Durations.parse(text)).contains(Duration.ofMillis(millis));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "5", "soon", "-5s", "1.5s", "5S", "5 min", "PT5S"})
  void refuses(String text) {
    assertThat(Durations.parse(text)).isEmpty();
  }

  @Test
  void formatsShortest() {
    assertThat(Durations.format(Duration.ofSeconds(900))).isEqualTo("15m");
    assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
    assertThat(Durations.format(Duration.ofHours(48))).isEqualTo("2d");
    assertThat(Durations.format(Duration.ZERO)).isEqualTo("0s");
  }
}
