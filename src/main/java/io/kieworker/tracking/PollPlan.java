package io.kieworker.tracking;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * When to ask Kie.ai about a task next. Poll-only: at the learned {@code quantile} of the model's
 * durations among tasks that ran at least as long as this one has (so ~70 % of tasks are done at
 * the first poll), then again along the same curve, and past the longest sample with exponential
 * backoff. Before anything is learned, the model's expected duration stands in. With callbacks on,
 * polling is only a safety net: late and sparse.
 */
public final class PollPlan {
  private final CompletionTimes times;
  private final double quantile;
  private final long minGap;
  private final long maxGap;
  private final boolean callbacksOn;
  private final DoubleSupplier random;

  public PollPlan(CompletionTimes times, double quantile, Duration minGap, Duration maxGap,
      boolean callbacksOn, DoubleSupplier random) {
    this.times = times;
    this.quantile = quantile;
    this.minGap = minGap.toMillis();
    this.maxGap = maxGap.toMillis();
    this.callbacksOn = callbacksOn;
    this.random = random;
  }

  /** Delay from now until the next poll of a task submitted {@code elapsed} ms ago. */
  public long nextDelay(String model, long elapsed, Duration expected, int pollsSoFar) {
    long delay = callbacksOn ? safetyNetDelay(model, elapsed, expected, pollsSoFar)
        : pollDelay(model, elapsed, expected, pollsSoFar);
    // Up to 10 % later, never earlier: spreads polls of tasks created together.
    return delay + (long) (delay * 0.1 * random.getAsDouble());
  }

  private long pollDelay(String model, long elapsed, Duration expected, int pollsSoFar) {
    long target = times.conditionalQuantile(model, elapsed, quantile);
    if (target < 0 && times.samples(model) == 0 && elapsed < expected.toMillis()) {
      target = expected.toMillis();
    }
    if (target < 0) {
      return backoff(elapsed, pollsSoFar);
    }
    // A learned target is not capped: capping it would add reads to every long task (a 30 s cap
    // reads a 90 s task three times). Only the backoff past every sample is capped.
    return Math.max(minGap, target - elapsed);
  }

  private long safetyNetDelay(String model, long elapsed, Duration expected, int pollsSoFar) {
    long p99 = times.conditionalQuantile(model, 0, 0.99);
    long typicalLongest = Math.max(p99, expected.toMillis());
    long firstAt = Math.max(3 * typicalLongest, 60_000);
    if (elapsed < firstAt) {
      return Math.max(minGap, firstAt - elapsed);
    }
    return Math.max(60_000, backoff(elapsed, pollsSoFar));
  }

  /**
   * Past every sample (or before any): the next read at 1.5 × the age of the task at least, so a
   * task is never read more than about log1.5(duration / first read) times however long it runs,
   * and exponentially in the number of reads so far.
   */
  private long backoff(long elapsed, int pollsSoFar) {
    double gap = Math.max(minGap * Math.pow(1.5, Math.min(pollsSoFar, 20)), elapsed / 2.0);
    return clamp((long) gap);
  }

  private long clamp(long delay) {
    return Math.max(minGap, Math.min(maxGap, delay));
  }
}
