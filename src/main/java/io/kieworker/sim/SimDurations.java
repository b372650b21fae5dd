package io.kieworker.sim;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses the simulator's duration syntax: {@code 250ms}, {@code 3s}, {@code 2m}, {@code 1h}; a bare number is ms. */
public final class SimDurations {
  private static final Pattern DURATION = Pattern.compile("\\s*(\\d+)\\s*(ms|s|m|h)?\\s*");

  private SimDurations() {}

  public static Duration parse(String text) {
    Matcher m = DURATION.matcher(text == null ? "" : text.toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException("not a duration (e.g. 250ms, 3s, 2m): " + text);
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "ms" : m.group(2);
    return switch (unit) {
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofMillis(n);
    };
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
    long ms = d.toMillis();
    return ms % 1000 == 0 ? (ms / 1000) + "s" : ms + "ms";
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
