package io.kieworker.sim;

import java.time.Duration;
import io.kieworker.config.Durations;

/**
 * The simulator's latency ranges ({@code 2s..5s}); single durations use the one syntax of every
 * setting and option ({@link Durations}: {@code 250ms}, {@code 3s}, {@code 2m}, {@code 1h}, {@code 1d}).
 */
public final class SimDurations {
  private SimDurations() {}

  public static Duration parse(String text) {
    return Durations.parse(text).orElseThrow(
        () -> new IllegalArgumentException("not a duration (e.g. 250ms, 3s, 2m): " + text));
  }

  /** {@code 2s..5s} or a single duration (min = max). */
  public static LatencyRange parseRange(String text) {
    int dots = text.indexOf("..");
    if (dots < 0) {
      Duration d = parse(text);
      return new LatencyRange(d, d);
    }
    return new LatencyRange(parse(text.substring(0, dots)), parse(text.substring(dots + 2)));
  }

  public static String format(Duration d) {
    return Durations.format(d);
  }

  /** Uniform latency bounds of one model. */
  public record LatencyRange(Duration min, Duration max) {
    public LatencyRange {
      if (min.isNegative() || max.compareTo(min) < 0) {
        throw new IllegalArgumentException("latency range must satisfy 0 <= min <= max");
      }
    }

    @Override
    public String toString() {
      return format(min) + ".." + format(max);
    }
  }
}
