package io.kieworker.retry;

import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * The one backoff formula of the worker: retry {@code n} (0 = the first) waits up to
 * {@code ceiling(n) = min(cap, base * 2^n)}, jittered so that many instances retrying the same
 * outage do not come back in step (AWS architecture blog, "Exponential Backoff and Jitter").
 *
 * @param fullJitter uniform in [0, ceiling] (calls to Kie.ai: spreads a crowd the most);
 *     otherwise "equal jitter", uniform in [ceiling/2, ceiling] (a retry that should not come back
 *     almost at once: a create after a 5xx, an upload, a Kafka write)
 */
public record Backoff(long baseMillis, long capMillis, boolean fullJitter, DoubleSupplier random) {
  public Backoff(long baseMillis, long capMillis, boolean fullJitter) {
    this(baseMillis, capMillis, fullJitter, () -> ThreadLocalRandom.current().nextDouble());
  }

  /** The ceiling of retry {@code retry}, overflow-safe for any retry count. */
  public long ceilingMillis(int retry) {
    int doublings = Math.max(0, Math.min(retry, 30));
    return (long) Math.min((double) capMillis, baseMillis * Math.pow(2, doublings));
  }

  /** The wait before retry {@code retry}. */
  public long delayMillis(int retry) {
    long ceiling = ceilingMillis(retry);
    double r = random.getAsDouble();
    return fullJitter ? (long) (r * ceiling) : ceiling / 2 + (long) (r * (ceiling - ceiling / 2));
  }
}
