package io.kieworker.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

/** The group's create rate as a fraction of the account's limit, from the simulator's accepted-create times. */
public final class CreateRates {
  private CreateRates() {}

  /**
   * Creates per window over {@code creates} creates from the first one a window after the first
   * (warm-up: a share moving to another instance starts as used for a window), divided by the
   * limit. Index to index, so the phase of the sliding window's bursts does not distort it.
   */
  public static double ratio(List<Long> times, int creates, Duration window, int limit) {
    assertThat(times).isNotEmpty();
    long warm = times.get(0) + window.toMillis();
    int i0 = 0;
    while (i0 < times.size() && times.get(i0) < warm) {
      i0++;
    }
    int i1 = i0 + creates;
    assertThat(i1).as("creates measured after the warm-up window").isLessThan(times.size());
    return creates / (double) (times.get(i1) - times.get(i0)) * window.toMillis() / limit;
  }
}
