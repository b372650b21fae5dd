package io.kieworker.kie;

import io.kieworker.retry.Backoff;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Exponential backoff with full jitter (AWS architecture blog, "Exponential Backoff and Jitter"):
 * attempt n waits a uniform random time in [0, min(cap, base * 2^n)], or at least what a
 * Retry-After asked for. Retries run on Vert.x timers, so a retried call stays on the caller's
 * context and no thread is held while waiting (general retry libraries schedule on their own
 * executors, which would move callbacks off the event loop).
 */
public final class RetryPolicy {
  public static final RetryPolicy DEFAULT = new RetryPolicy(4, Duration.ofMillis(200), Duration.ofSeconds(10));
  public static final RetryPolicy NONE = new RetryPolicy(1, Duration.ZERO, Duration.ZERO);

  private final int maxAttempts;
  private final Duration base;
  private final Duration cap;
  private final DoubleSupplier random;

  public RetryPolicy(int maxAttempts, Duration base, Duration cap) {
    this(maxAttempts, base, cap, () -> ThreadLocalRandom.current().nextDouble());
  }

  /** {@code random} yields values in [0, 1); tests pass a fixed one. */
  public RetryPolicy(int maxAttempts, Duration base, Duration cap, DoubleSupplier random) {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1");
    }
    this.maxAttempts = maxAttempts;
    this.base = base;
    this.cap = cap;
    this.random = random;
  }

  public int maxAttempts() {
    return maxAttempts;
  }

  /** The wait before retry number {@code retry} (0 = the first retry). */
  public Duration delay(int retry, Duration retryAfter) {
    long jittered = new Backoff(base.toMillis(), cap.toMillis(), true, random).delayMillis(retry);
    Duration asked = RetryAfter.capped(retryAfter);
    long floor = asked == null ? 0 : asked.toMillis();
    return Duration.ofMillis(Math.max(jittered, floor));
  }

  /**
   * Runs {@code call} until it succeeds, fails with a non-retryable error, or attempts run out.
   * Call it on a Vert.x context; the returned future completes on that context.
   */
  public <T> Future<KieResult<T>> run(Vertx vertx, Supplier<Future<KieResult<T>>> call) {
    return run(vertx, call, KieError::retryable);
  }

  /** As {@link #run(Vertx, Supplier)}, retrying only errors that {@code retryIf} accepts. */
  public <T> Future<KieResult<T>> run(
      Vertx vertx, Supplier<Future<KieResult<T>>> call, Predicate<KieError> retryIf) {
    Promise<KieResult<T>> promise = Promise.promise();
    attempt(vertx, call, retryIf, 0, promise);
    return promise.future();
  }

  private <T> void attempt(Vertx vertx, Supplier<Future<KieResult<T>>> call,
      Predicate<KieError> retryIf, int attempt, Promise<KieResult<T>> promise) {
    call.get().onComplete(ar -> {
      KieResult<T> result = ar.succeeded() ? ar.result() : KieResult.failed(
          ErrorClassifier.transportFailure(ErrorClassifier.Call.SAFE, ar.cause(), false));
      if (result.isOk() || !retryIf.test(result.error()) || attempt + 1 >= maxAttempts) {
        promise.complete(result);
        return;
      }
      long wait = Math.max(1, delay(attempt, result.error().retryAfter()).toMillis());
      vertx.setTimer(wait, id -> attempt(vertx, call, retryIf, attempt + 1, promise));
    });
  }

  @Override
  public String toString() {
    return "RetryPolicy[maxAttempts=" + maxAttempts + ", base=" + base + ", cap=" + cap + "]";
  }
}
