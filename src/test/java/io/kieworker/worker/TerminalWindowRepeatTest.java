package io.kieworker.worker;

import static io.kieworker.testing.WorkerHarness.marker;
import static io.kieworker.testing.WorkerHarness.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.kieworker.config.ConfigLoader;
import io.kieworker.sim.SimOptions;
import io.kieworker.testing.Await;
import io.kieworker.testing.KafkaBroker;
import io.kieworker.testing.WorkerHarness;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A repeat of a request read after its result was published but before its TERMINAL ledger record
 * is durable gets that result again, not "already being processed; duplicate ignored" (a8d9bb0:
 * Finisher remembers the terminal as soon as the result is out). The TERMINAL write is held
 * back deterministically: {@link LedgerBlipInterceptor} fails every TERMINAL send while armed, and
 * the worker retries it.
 */
@ExtendWith(KafkaBroker.class)
class TerminalWindowRepeatTest {

  @Test
  void aRepeatReadWhileTheTerminalRecordIsStillBeingWrittenGetsTheResultAgain(@TempDir Path dir) throws Exception {
    SimOptions sim = new SimOptions().latency(SimOptions.ANY_MODEL, Duration.ofMillis(100)).seed(102L);
    Path overlay = dir.resolve("blip.yaml");
    Files.writeString(overlay, "kafka:\n  properties:\n    interceptor.classes: \""
        + LedgerBlipInterceptor.class.getName() + "\"\n    max.block.ms: \"1000\"\n");
    String id = "terminal-window";
    try (WorkerHarness h = new WorkerHarness(1, sim)) {
      WorkerApp worker = Await.result(WorkerApp.start(ConfigLoader.load(overlay, h.env(Map.of()))),
          Duration.ofSeconds(60));
      try {
        LedgerBlipInterceptor.type = "TERMINAL";
        LedgerBlipInterceptor.diverted.set(0);
        LedgerBlipInterceptor.topic = h.ledger;
        h.send(id, request(id, "google/nano-banana", ""));
        JsonObject first = h.awaitResultsFor(List.of(id), Duration.ofSeconds(30)).get(id);
        Awaitility.await("the TERMINAL write refused at least once").atMost(Duration.ofSeconds(20))
            .until(() -> LedgerBlipInterceptor.diverted.get() >= 1);
        assertThat(h.ledgerTypes(id, 0)).doesNotContain("TERMINAL");

        h.send(id, request(id, "google/nano-banana", "")); // the repeat, inside the window
        Awaitility.await("the result published again for the repeat").atMost(Duration.ofSeconds(20))
            .until(() -> h.resultsFor(id).size() >= 2);
        LedgerBlipInterceptor.topic = null; // the blip ends: the TERMINAL record lands

        Awaitility.await("the TERMINAL record written after the blip").atMost(Duration.ofSeconds(30))
            .until(() -> h.ledgerTypes(id, 0).contains("TERMINAL"));
        List<ConsumerRecord<String, byte[]>> results = h.resultsFor(id);
        assertThat(results).hasSize(2);
        JsonObject again = new JsonObject(new String(results.get(1).value(), StandardCharsets.UTF_8));
        assertThat(again.getString("status")).isEqualTo("SUCCEEDED");
        assertThat(again.getString("taskId")).isEqualTo(first.getString("taskId"));
        assertThat(h.simTasksWithPrompt(marker(id))).as("paid once").isEqualTo(1);
      } finally {
        LedgerBlipInterceptor.topic = null;
        LedgerBlipInterceptor.type = "SUBMITTED";
        Await.result(worker.stop(), Duration.ofSeconds(40));
      }
    }
  }

}
