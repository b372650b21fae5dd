package io.kieworker.queue;

import static org.assertj.core.api.Assertions.assertThat;

import io.kieworker.queue.QueueFixture.Req;
import io.kieworker.testing.KafkaBroker;
import io.kieworker.testing.WorkerHarness;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
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
          .until(() -> ledgerTypes(h, "at-once").contains("TERMINAL"));
      assertThat(ledgerTypes(h, "at-once")).containsExactly("SUBMITTING", "SUBMITTED", "TERMINAL");

      h.send("k", Req.of("waits").json());
      Awaitility.await("both offsets committed while the second request waits").atMost(Duration.ofSeconds(15))
          .until(() -> committed(h) == 2);
      assertThat(QueueFixture.created(h.sim(), List.of("waits"))).as("still queued").isEmpty();
      assertThat(ledgerTypes(h, "waits")).containsExactly("RELEASED");
      JsonObject accepted = new JsonObject(KafkaBroker.latestValue(h.ledger, 0, "waits"));
      assertThat(accepted.getInteger("attempts")).isZero();
    }
  }

  /** The types of {@code requestId}'s ledger records, oldest first (other keys and tombstones left out). */
  private static List<String> ledgerTypes(WorkerHarness h, String requestId) {
    return KafkaBroker.records(h.ledger, 0).stream()
        .filter(r -> requestId.equals(r.key()) && r.value() != null)
        .map(r -> new JsonObject(new String(r.value(), StandardCharsets.UTF_8)).getString("type"))
        .toList();
  }

  private static long committed(WorkerHarness h) throws Exception {
    var offsets = KafkaBroker.admin().listConsumerGroupOffsets(h.group).partitionsToOffsetAndMetadata()
        .get(10, TimeUnit.SECONDS);
    var offset = offsets.get(new TopicPartition(h.requests, 0));
    return offset == null ? -1 : offset.offset();
  }
}
