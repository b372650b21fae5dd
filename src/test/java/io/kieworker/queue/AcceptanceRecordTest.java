package io.kieworker.queue;

import static org.assertj.core.api.Assertions.assertThat;

import io.kieworker.queue.QueueFixture.Req;
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
 * The acceptance record (RELEASED, attempts 0) is written for a request that has to wait for its
 * create, and only for it: one created at once is accepted by its SUBMITTING record, which carries the
 * request as well, so it costs four ledger writes instead of five (issue 11 item 5). Either way its
 * offset is committed once a ledger record holds it.
 */
@ExtendWith(KafkaBroker.class)
class AcceptanceRecordTest {

  @Test
  void aRequestCreatedAtOnceIsAcceptedByItsSubmittingRecordAndOneThatWaitsByAnAcceptanceRecord() throws Exception {
    try (WorkerHarness h = new WorkerHarness(1, QueueFixture.sim(303L))) {
      // One create per hour: the first request is created at once, the second has to wait.
      h.startWorker(Map.of("WORKER_CREATE_RATE_LIMIT", "1", "WORKER_CREATE_RATE_WINDOW", "1h"));
      h.send("k", Req.of("at-once").json());
      JsonObject first = h.awaitResultsFor(List.of("at-once"), Duration.ofSeconds(30)).get("at-once");
      assertThat(first.getString("status")).isEqualTo("SUCCEEDED");
      Awaitility.await("the TERMINAL record").atMost(Duration.ofSeconds(10))
          .until(() -> h.ledgerTypes("at-once", 0).contains("TERMINAL"));
      assertThat(h.ledgerTypes("at-once", 0)).containsExactly("SUBMITTING", "SUBMITTED", "TERMINAL");

      h.send("k", Req.of("waits").json());
      Awaitility.await("both offsets committed while the second request waits").atMost(Duration.ofSeconds(15))
          .until(() -> QueueFixture.committed(h, 0) == 2);
      assertThat(QueueFixture.created(h.sim(), List.of("waits"))).as("still queued").isEmpty();
      assertThat(h.ledgerTypes("waits", 0)).containsExactly("RELEASED");
      JsonObject accepted = new JsonObject(KafkaBroker.latestValue(h.ledger, 0, "waits"));
      assertThat(accepted.getInteger("attempts")).isZero();
    }
  }


}
