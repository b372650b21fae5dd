package io.kieworker.kie;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class RetryPolicyTest {
  private static final KieError TRANSIENT = new KieError(ErrorClass.TRANSIENT, "500", "boom", 200, null);
  private static final KieError PERMANENT = new KieError(ErrorClass.PERMANENT, "422", "bad", 200, null);

  @Test
  void fullJitterStaysWithinTheExponentialCeiling() {
    RetryPolicy top = new RetryPolicy(5, Duration.ofMillis(100), Duration.ofMillis(1000), () -> 0.999999);
    assertThat(top.delay(0, null).toMillis()).isEqualTo(99);
    assertThat(top.delay(1, null).toMillis()).isEqualTo(199);
    assertThat(top.delay(3, null).toMillis()).isEqualTo(799);
    assertThat(top.delay(10, null).toMillis()).isEqualTo(999);
    RetryPolicy bottom = new RetryPolicy(5, Duration.ofMillis(100), Duration.ofMillis(1000), () -> 0.0);
    assertThat(bottom.delay(3, null)).isZero();
  }

  @Test
  void retryAfterIsAFloor() {
    RetryPolicy policy = new RetryPolicy(5, Duration.ofMillis(100), Duration.ofMillis(1000), () -> 0.5);
    assertThat(policy.delay(0, Duration.ofSeconds(3))).isEqualTo(Duration.ofSeconds(3));
  }

  @Test
  void retriesTransientUntilSuccess(Vertx vertx, VertxTestContext ctx) {
    AtomicInteger calls = new AtomicInteger();
    RetryPolicy policy = new RetryPolicy(4, Duration.ofMillis(1), Duration.ofMillis(5));
    policy.<String>run(vertx, () -> Future.succeededFuture(
            calls.incrementAndGet() < 3 ? KieResult.failed(TRANSIENT) : KieResult.ok("done")))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat(r.value()).isEqualTo("done");
          assertThat(calls).hasValue(3);
          ctx.completeNow();
        })));
  }

  @Test
  void givesUpAfterMaxAttempts(Vertx vertx, VertxTestContext ctx) {
    AtomicInteger calls = new AtomicInteger();
    RetryPolicy policy = new RetryPolicy(3, Duration.ofMillis(1), Duration.ofMillis(5));
    policy.<String>run(vertx, () -> {
          calls.incrementAndGet();
          return Future.succeededFuture(KieResult.failed(TRANSIENT));
        })
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat(r.error()).isEqualTo(TRANSIENT);
          assertThat(calls).hasValue(3);
          ctx.completeNow();
        })));
  }

  @Test
  void neverRetriesPermanentErrors(Vertx vertx, VertxTestContext ctx) {
    AtomicInteger calls = new AtomicInteger();
    new RetryPolicy(5, Duration.ofMillis(1), Duration.ofMillis(5)).<String>run(vertx, () -> {
          calls.incrementAndGet();
          return Future.succeededFuture(KieResult.failed(PERMANENT));
        })
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat(r.errorClass()).isEqualTo(ErrorClass.PERMANENT);
          assertThat(calls).hasValue(1);
          ctx.completeNow();
        })));
  }
}
