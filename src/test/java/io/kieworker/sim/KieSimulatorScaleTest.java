package io.kieworker.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** 100,000 pending tasks created over HTTP, 256 in flight; polls must stay cheap. */
@Tag("slow")
class KieSimulatorScaleTest {
  private static final int TASKS = 100_000;

  @Test
  void hundredThousandPendingTasks() {
    SimOptions options = new SimOptions().rateLimit(0, Duration.ofSeconds(10))
        .latency(SimOptions.ANY_MODEL, Duration.ofHours(1));
    try (SimHarness h = new SimHarness(options)) {
      long start = System.nanoTime();
      SimHarness.await(createAll(h, 256), Duration.ofSeconds(180));
      long createMs = (System.nanoTime() - start) / 1_000_000;
      assertThat(h.sim.tasks().pending()).isEqualTo(TASKS);
      String anyId = h.sim.tasks().all().iterator().next().taskId();
      assertThat(h.record(anyId).getJsonObject("data").getString("state")).isEqualTo("waiting");
      System.out.printf("created %d tasks in %d ms (%.0f/s)%n", TASKS, createMs, TASKS * 1000.0 / createMs);
    }
  }

  private static Future<Void> createAll(SimHarness h, int inFlight) {
    Promise<Void> done = Promise.promise();
    AtomicInteger started = new AtomicInteger();
    AtomicInteger finished = new AtomicInteger();
    Runnable[] next = new Runnable[1];
    next[0] = () -> {
      int i = started.getAndIncrement();
      if (i >= TASKS) {
        return;
      }
      h.client.post(h.sim.port(), "127.0.0.1", "/api/v1/jobs/createTask")
          .putHeader("Authorization", "Bearer " + SimHarness.KEY)
          .sendJsonObject(SimHarness.nanoBanana("scale " + i))
          .onComplete(ar -> {
            if (ar.failed() || ar.result().bodyAsJsonObject().getInteger("code") != 200) {
              done.tryFail(ar.failed() ? ar.cause() : new AssertionError(ar.result().bodyAsString()));
            } else if (finished.incrementAndGet() == TASKS) {
              done.tryComplete();
            } else {
              next[0].run();
            }
          });
    };
    h.vertx.runOnContext(v -> {
      for (int i = 0; i < inFlight; i++) {
        next[0].run();
      }
    });
    return done.future();
  }
}
