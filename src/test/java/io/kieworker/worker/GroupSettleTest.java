package io.kieworker.worker;

import static io.kieworker.testing.WorkerHarness.header;
import static io.kieworker.testing.WorkerHarness.marker;
import static io.kieworker.testing.WorkerHarness.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.kieworker.config.ConfigLoader;
import io.kieworker.sim.SimOptions;
import io.kieworker.testing.Await;
import io.kieworker.testing.KafkaBroker;
import io.kieworker.testing.WorkerHarness;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issue 9 item 6, without any crash: three instances started together on a 3-partition topic
 * holding ~100 requests (some invalid). The group rebalances while they work; records answered
 * before a partition moved are read again by the next owner, which must answer none of them again.
 */
@ExtendWith(KafkaBroker.class)
class GroupSettleTest {
  private static final Logger LOG = LoggerFactory.getLogger(GroupSettleTest.class);

  @Test
  void threeInstancesStartedTogetherPublishNoDuplicateResultAndNoDuplicateDeadLetter() {
    // 120 requests, ids settle-0 .. settle-119; every tenth (ids ending in 9) is invalid.
    int valid = 108;
    int invalid = 12;
    SimOptions sim = new SimOptions().latency(SimOptions.ANY_MODEL, Duration.ofMillis(500), Duration.ofMillis(1500))
        .rateLimit(0, Duration.ofSeconds(10)).seed(77L);
    try (WorkerHarness h = new WorkerHarness(3, sim)) {
      List<String> ids = new ArrayList<>();
      send(h, ids, 0, 60);
      // "Started together" as processes are: one JVM is up a little earlier and takes every
      // partition, the other two join while it works and the group rebalances under load.
      // A create pace that keeps the first instance busy for seconds after the others joined.
      Map<String, String> env = h.env(Map.of("WORKER_CREATE_RATE_LIMIT", "20", "WORKER_CREATE_RATE_WINDOW", "1s"));
      List<WorkerApp> apps = new ArrayList<>();
      try {
        apps.add(Await.result(WorkerApp.start(ConfigLoader.load(null, env)), Duration.ofSeconds(60)));
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> h.results().size() >= 5);
        List<Future<WorkerApp>> joining = List.of(WorkerApp.start(ConfigLoader.load(null, env)),
            WorkerApp.start(ConfigLoader.load(null, env)));
        send(h, ids, 60, valid + invalid);
        joining.forEach(f -> apps.add(Await.result(f, Duration.ofSeconds(60))));
        h.awaitResultsFor(ids, Duration.ofSeconds(90));
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> h.deadLetters().size() >= invalid);
        // Every request has its result; give late duplicates (if any) time to arrive.
        Awaitility.await().pollDelay(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() -> true);

        int duplicateDeadLetters = h.deadLetters().size() - distinctSources(h.deadLetters());
        LOG.info("group settle figures: requests={} results={} duplicateResults={} deadLetters={}"
                + " duplicateDeadLetters={} creates={}", ids.size(), h.results().size(), h.duplicates(),
            h.deadLetters().size(), duplicateDeadLetters, h.sim().counters().createsAccepted());
        assertThat(h.missing(ids)).isEmpty();
        assertThat(h.duplicates()).as("duplicate results").isZero();
        assertThat(duplicateDeadLetters).as("duplicate dead letters").isZero();
        assertThat(h.deadLetters()).hasSize(invalid);
        assertThat(h.sim().counters().createsAccepted()).as("each valid request paid once").isEqualTo(valid);
        Map<String, JsonObject> byId = h.resultsById();
        ids.forEach(id -> assertThat(byId.get(id).getString("status")).as(id)
            .isEqualTo(id.endsWith("9") ? "REJECTED" : "SUCCEEDED"));
        ids.stream().filter(id -> !id.endsWith("9"))
            .forEach(id -> assertThat(h.simTasksWithPrompt(marker(id))).as(id).isEqualTo(1));
      } finally {
        apps.forEach(app -> Await.result(app.stop(), Duration.ofSeconds(40)));
      }
    }
  }

  /** Requests {@code from} .. {@code to - 1}; every tenth one is invalid (an unknown model). */
  private static void send(WorkerHarness h, List<String> ids, int from, int to) {
    for (int i = from; i < to; i++) {
      String id = "settle-" + i;
      ids.add(id);
      if (i % 10 == 9) {
        h.send(id, new JsonObject().put("requestId", id).put("model", "no/such-model")
            .put("input", new JsonObject().put("prompt", "x")).encode());
      } else {
        h.send(id, request(id, "google/nano-banana", ""));
      }
    }
  }

  private static int distinctSources(List<ConsumerRecord<String, byte[]>> deadLetters) {
    Map<String, Integer> bySource = new HashMap<>();
    deadLetters.forEach(r -> bySource.merge(header(r, "dlq.original.partition") + "@"
        + header(r, "dlq.original.offset"), 1, Integer::sum));
    return bySource.size();
  }
}
