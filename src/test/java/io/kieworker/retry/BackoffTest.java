package io.kieworker.retry;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class BackoffTest {
  @Test
  void ceilingDoublesUpToTheCapAndNeverOverflows() {
    Backoff b = new Backoff(200, 10_000, true, () -> 0.5);
    assertThat(b.ceilingMillis(0)).isEqualTo(200);
    assertThat(b.ceilingMillis(3)).isEqualTo(1_600);
    assertThat(b.ceilingMillis(10)).isEqualTo(10_000);
    assertThat(b.ceilingMillis(Integer.MAX_VALUE)).isEqualTo(10_000);
    assertThat(b.ceilingMillis(-1)).isEqualTo(200);
  }

  @Test
  void fullJitterSpansZeroToTheCeilingEqualJitterItsUpperHalf() {
    assertThat(new Backoff(1_000, 60_000, true, () -> 0.0).delayMillis(2)).isZero();
    assertThat(new Backoff(1_000, 60_000, true, () -> 0.999_999).delayMillis(2)).isBetween(3_999L, 4_000L);
    assertThat(new Backoff(1_000, 60_000, false, () -> 0.0).delayMillis(2)).isEqualTo(2_000);
    assertThat(new Backoff(1_000, 60_000, false, () -> 0.999_999).delayMillis(2)).isBetween(3_999L, 4_000L);
  }
}
