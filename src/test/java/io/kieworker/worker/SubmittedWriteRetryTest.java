package io.kieworker.worker;

import static io.kieworker.testing.WorkerHarness.marker;
import static io.kieworker.testing.WorkerHarness.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.kieworker.config.ConfigLoader;
import io.kieworker.sim.SimOptions;
import io.kieworker.testing.Await;
import io.kieworker.testing.KafkaBroker;
import io.kieworker.testing.WorkerHarness;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9 item 10: the SUBMITTED ledger write survives a broker blip ({@link LedgerBlipInterceptor}
 * fails every SUBMITTED send of the worker's producer while armed). The task runs 20 s, so it is
 * still running when the first worker stops and the next one must find its task id in the ledger.
 */
@ExtendWith(KafkaBroker.class)
class SubmittedWriteRetryTest {

  @Test
  void aSubmittedWriteRefusedByTheBrokerIsRetriedAndTheNextOwnerTracksTheTaskWithoutPayingAgain(@TempDir Path dir)
      throws Exception {
    SimOptions sim = new SimOptions().latency(SimOptions.ANY_MODEL, Duration.ofSeconds(20))
        .rateLimit(0, Duration.ofSeconds(10)).seed(101L);
    Path overlay = dir.resolve("blip.yaml");
    Files.writeString(overlay, "kafka:\n  properties:\n    interceptor.classes: \""
        + LedgerBlipInterceptor.class.getName() + "\"\n    max.block.ms: \"1000\"\n");
    try (WorkerHarness h = new WorkerHarness(1, sim)) {
      WorkerApp first = Await.result(WorkerApp.start(ConfigLoader.load(overlay, h.env(Map.of()))),
          Duration.ofSeconds(60));
      boolean firstRunning = true;
      try {
        String id = "submitted-retry";
        LedgerBlipInterceptor.topic = h.ledger;
        h.send(id, request(id, "google/nano-banana", ""));
        Awaitility.await().atMost(Duration.ofSeconds(30)).alias("SUBMITTED refused")
            .until(() -> failedLedgerWrites(first) >= 1);
        assertThat(latestLedgerValue(h, id)).contains("\"type\":\"SUBMITTING\"");
        LedgerBlipInterceptor.topic = null; // the blip ends

        Awaitility.await().atMost(Duration.ofSeconds(30)).alias("SUBMITTED written after the blip")
            .until(() -> latestLedgerValue(h, id).contains("\"type\":\"SUBMITTED\""));
        Await.result(first.stop(), Duration.ofSeconds(40));
        firstRunning = false;

        // Poll-only: a SUBMITTING record alone would be an ambiguous create, paid again after the grace.
        h.startWorker(Map.of("WORKER_AMBIGUOUS_GRACE", "2s"));
        Map<String, JsonObject> byId = h.awaitResultsFor(List.of(id), Duration.ofSeconds(60));
        assertThat(byId.get(id).getString("status")).isEqualTo("SUCCEEDED");
        assertThat(byId.get(id).getInteger("attempts")).isEqualTo(1);
        assertThat(h.simTasksWithPrompt(marker(id))).isEqualTo(1);
        assertThat(h.sim().counters().createsAccepted()).isEqualTo(1);
      } finally {
        LedgerBlipInterceptor.topic = null;
        if (firstRunning) {
          Await.result(first.stop(), Duration.ofSeconds(40));
        }
      }
    }
  }

  /** Failed SUBMITTED sends: the worker's counter, or (without it) the sends the blip diverted. */
  private static double failedLedgerWrites(WorkerApp app) {
    Counter counter = app.registry().find("kie_worker.ledger.write.failed").counter();
    return counter == null ? LedgerBlipInterceptor.diverted.get() : counter.count();
  }

  /** The latest value of {@code key} in the ledger's partition 0 ("" when none). */
  private static String latestLedgerValue(WorkerHarness h, String key) {
    return KafkaBroker.latestValue(h.ledger, 0, key);
  }
}
