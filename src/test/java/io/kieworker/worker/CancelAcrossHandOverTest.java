package io.kieworker.worker;

import static io.kieworker.testing.WorkerHarness.marker;
import static io.kieworker.testing.WorkerHarness.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.kieworker.sim.SimOptions;
import io.kieworker.testing.KafkaBroker;
import io.kieworker.testing.WorkerHarness;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A request accepted into the create queue lives in the ledger (its offset committed); a cancel of
 * it produced while no instance owns the partition is read by the next owner before that owner
 * creates anything from the queue it restored, so the request ends CANCELLED and nothing is paid.
 */
@ExtendWith(KafkaBroker.class)
class CancelAcrossHandOverTest {
  /** One create per minute: the first request takes the only slot, the others stay queued. */
  private static final Map<String, String> ONE_CREATE_PER_MINUTE =
      Map.of("WORKER_CREATE_RATE_LIMIT", "1", "WORKER_CREATE_RATE_WINDOW", "60s");

  @Test
  void aCancelSentWhileNobodyOwnsThePartitionWinsOverTheRestoredQueue() {
    try (WorkerHarness h = new WorkerHarness(1,
        new SimOptions().latency(SimOptions.ANY_MODEL, Duration.ofMillis(100), Duration.ofMillis(200)))) {
      WorkerApp first = h.startWorker(ONE_CREATE_PER_MINUTE);
      h.send("first", request("first", "google/nano-banana", ""));
      h.send("queued", request("queued", "google/nano-banana", ""));
      h.send("kept", request("kept", "google/nano-banana", ""));
      h.awaitResultsFor(List.of("first"), Duration.ofSeconds(30));
      // Both queued requests accepted (durable, offsets committable) before the owner goes away.
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> pendingOf(first) == 2);
      h.stopWorker(first);

      h.send("queued", new JsonObject().put("requestId", "queued").put("action", "cancel").encode());
      h.startWorker(Map.of()); // a fresh limiter: it could create at once

      Map<String, JsonObject> results = h.awaitResultsFor(List.of("queued", "kept"), Duration.ofSeconds(30));

      assertThat(results.get("queued").getString("status")).as(results.get("queued").encode()).isEqualTo("CANCELLED");
      assertThat(results.get("queued").getJsonObject("error").getString("code")).isEqualTo("CANCELLED");
      assertThat(h.simTasksWithPrompt(marker("queued"))).as("nothing paid for the cancelled request").isZero();
      assertThat(results.get("kept").getString("status")).isEqualTo("SUCCEEDED");
      assertThat(h.duplicates()).isZero();
    }
  }

  private static int pendingOf(WorkerApp app) {
    return app.worker().pendingCount();
  }
}
