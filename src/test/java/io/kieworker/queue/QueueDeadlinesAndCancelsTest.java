package io.kieworker.queue;

import static io.kieworker.queue.QueueFixture.errorCode;
import static io.kieworker.queue.QueueFixture.metric;
import static io.kieworker.queue.QueueFixture.status;
import static io.kieworker.queue.QueueFixture.submittedAt;
import static io.kieworker.testing.WorkerHarness.header;
import static org.assertj.core.api.Assertions.assertThat;

import io.kieworker.queue.QueueFixture.Req;
import io.kieworker.testing.KafkaBroker;
import io.kieworker.testing.WorkerHarness;
import io.kieworker.worker.WorkerApp;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Deadlines and cancels (issue 10, items 4 and 5), black-box: a request whose create has not started
 * by its deadline, or that was cancelled first, ends EXPIRED or CANCELLED without reaching createTask;
 * a cancel comes too late once the create started, and a cancel for an id nobody sent changes nothing.
 */
@ExtendWith(KafkaBroker.class)
class QueueDeadlinesAndCancelsTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @Test
  void expiredAndCancelledRequestsNeverReachCreateTaskAndEachGetsItsOwnResult() {
    try (WorkerHarness h = new WorkerHarness(1, QueueFixture.sim(201L))) {
      WorkerApp worker = h.startWorker(QueueFixture.env(Map.of()));
      // 60 requests at 10 creates/s: the tail waits ~5 s, time enough for its cancels to arrive.
      List<String> backlog = new ArrayList<>();
      for (int i = 0; i < 60; i++) {
        backlog.add("q-" + i);
        h.send("acme", Req.of("q-" + i).tenant("acme").json());
      }
      Instant past = Instant.now().minus(Duration.ofHours(1));
      h.send("acme", Req.of("too-late").tenant("acme").expiresAt(past).json());
      h.send("acme", Req.of("too-late-high").tenant("acme").priority("high").expiresAt(past).json());
      List<String> cancelled = backlog.subList(50, 60);
      cancelled.forEach(id -> h.send("acme", QueueFixture.cancel(id)));

      List<String> all = new ArrayList<>(backlog);
      all.addAll(List.of("too-late", "too-late-high"));
      Map<String, JsonObject> results = h.awaitResultsFor(all, WAIT);

      for (String id : cancelled) {
        assertEnded(h, results, id, "CANCELLED");
      }
      assertEnded(h, results, "too-late", "EXPIRED");
      assertEnded(h, results, "too-late-high", "EXPIRED");
      backlog.subList(0, 50).forEach(id -> assertThat(status(results.get(id))).as(id).isEqualTo("SUCCEEDED"));
      assertThat(h.duplicates()).as("exactly one result per request id").isZero();
      List<String> neverCreated = new ArrayList<>(cancelled);
      neverCreated.addAll(List.of("too-late", "too-late-high"));
      assertThat(QueueFixture.created(h.sim(), neverCreated)).as("reached createTask").isEmpty();
      assertThat(h.sim().counters().createsAccepted()).isEqualTo(50);
      assertThat(QueueFixture.createdTwice(h.sim())).isEmpty();
      String metrics = QueueFixture.scrape(worker.httpPort());
      assertThat(metric(metrics, "kie_worker_cancels_total", "outcome=\"cancelled\"")).isEqualTo(10.0);
      assertThat(metric(metrics, "kie_worker_expired_total")).isEqualTo(2.0);
      assertThat(h.deadLetters()).as("cancels and expiries are not dead letters").isEmpty();
    }
  }

  @Test
  void theGroupsMaxQueueTimeExpiresTheBacklogTailWhileItWaits() {
    try (WorkerHarness h = new WorkerHarness(1, QueueFixture.sim(202L))) {
      WorkerApp worker = h.startWorker(QueueFixture.env(Map.of("WORKER_MAX_QUEUE_TIME", "2s")));
      // 60 requests, ~10 + 2 s × 10/s of them can start within 2 s of being produced: the rest expire queued.
      Map<String, Instant[]> sent = new LinkedHashMap<>();
      for (int i = 0; i < 60; i++) {
        String id = "m-" + i;
        Instant before = Instant.now();
        h.send("acme", Req.of(id).json());
        sent.put(id, new Instant[] {before, Instant.now()});
      }

      Map<String, JsonObject> results = h.awaitResultsFor(sent.keySet(), WAIT);

      Map<String, List<String>> byStatus = new HashMap<>();
      sent.keySet().forEach(id -> byStatus.computeIfAbsent(status(results.get(id)), s -> new ArrayList<>()).add(id));
      assertThat(byStatus.keySet()).as("statuses").containsOnly("SUCCEEDED", "EXPIRED");
      List<String> expired = byStatus.getOrDefault("EXPIRED", List.of());
      List<String> succeeded = byStatus.getOrDefault("SUCCEEDED", List.of());
      assertThat(expired).as("some expired while queued").hasSizeGreaterThanOrEqualTo(10);
      assertThat(succeeded).as("the head was created in time").hasSizeGreaterThanOrEqualTo(10);
      expired.forEach(id -> assertEnded(h, results, id, "EXPIRED"));
      assertThat(QueueFixture.created(h.sim(), expired)).as("expired yet created").isEmpty();
      assertThat(h.sim().counters().createsAccepted()).isEqualTo(succeeded.size());
      assertThat(h.duplicates()).isZero();
      Duration slack = Duration.ofMillis(500); // the worker reads the record's timestamp; both clocks are this machine's
      for (String id : succeeded) {
        Instant deadline = sent.get(id)[1].plusSeconds(2);
        assertThat(submittedAt(results.get(id))).as("%s started by its deadline", id).isBefore(deadline.plus(slack));
      }
      for (String id : expired) {
        Instant earliest = sent.get(id)[0].plusSeconds(2);
        Instant published = Instant.parse(results.get(id).getJsonObject("timings").getString("publishedAt"));
        assertThat(published).as("%s not expired before its deadline", id).isAfter(earliest.minus(slack));
      }
      assertThat(metric(QueueFixture.scrape(worker.httpPort()), "kie_worker_expired_total"))
          .isEqualTo(expired.size());
    }
  }

  @Test
  void aCancelOnceTheCreateStartedGetsTheNormalResultAndAnUnknownOrInvalidOneChangesNothing() {
    try (WorkerHarness h = new WorkerHarness(1, QueueFixture.sim(203L))) {
      WorkerApp worker = h.startWorker(QueueFixture.env(Map.of()));
      h.send("k", QueueFixture.cancel("nobody-sent-this"));
      h.send("k", Req.of("after-ghost").json());
      // Not a cancel: another action. Dead-lettered without a result; the request it names goes on.
      h.send("k", new JsonObject().put("requestId", "after-ghost").put("action", "stop").encode());
      h.send("k", Req.of("slow-1", "[sim:latency=3s]").json());
      Awaitility.await("slow-1 created").atMost(WAIT).pollInterval(Duration.ofMillis(20))
          .until(() -> !QueueFixture.created(h.sim(), List.of("slow-1")).isEmpty());

      h.send("k", QueueFixture.cancel("slow-1"));
      Awaitility.await("the late cancel counted").atMost(WAIT)
          .until(() -> metric(QueueFixture.scrape(worker.httpPort()), "kie_worker_cancels_total",
              "outcome=\"too_late\"") == 1.0);
      Map<String, JsonObject> results = h.awaitResultsFor(List.of("after-ghost", "slow-1"), WAIT);

      assertThat(status(results.get("slow-1"))).as("Kie.ai has no cancel: the paid task's result")
          .isEqualTo("SUCCEEDED");
      assertThat(status(results.get("after-ghost"))).isEqualTo("SUCCEEDED");
      String metrics = QueueFixture.scrape(worker.httpPort());
      assertThat(metric(metrics, "kie_worker_cancels_total", "outcome=\"unknown\"")).isEqualTo(1.0);
      assertThat(metric(metrics, "kie_worker_cancels_total", "outcome=\"cancelled\"")).isZero();
      // A late duplicate would follow the first result closely: look on for a second.
      Awaitility.await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5))
          .until(() -> h.resultsFor("slow-1").size() == 1 && h.results().size() == 2);
      assertThat(h.resultsFor("nobody-sent-this")).isEmpty();
      assertThat(h.resultsFor("after-ghost")).hasSize(1);
      Awaitility.await("the invalid cancel dead-lettered").atMost(WAIT).until(() -> h.deadLetters().size() == 1);
      assertThat(header(h.deadLetters().get(0), "dlq.reason")).isEqualTo("INVALID");
      assertThat(metric(QueueFixture.scrape(worker.httpPort()), "kie_worker_cancels_total", "outcome=\"rejected\""))
          .isEqualTo(1.0);
      assertThat(h.sim().counters().createsAccepted()).isEqualTo(2);
    }
  }

  /** One result for {@code id}, in {@code status} with that error code and CloudEvents type, and no create. */
  private static void assertEnded(WorkerHarness h, Map<String, JsonObject> results, String id, String status) {
    JsonObject r = results.get(id);
    assertThat(status(r)).as(id + ": " + r.encode()).isEqualTo(status);
    assertThat(errorCode(r)).as(id).isEqualTo(status);
    assertThat(r.getInteger("attempts")).as(id + " attempts").isZero();
    assertThat(submittedAt(r)).as(id + " never submitted").isNull();
    List<ConsumerRecord<String, byte[]>> records = h.resultsFor(id);
    assertThat(records).as(id + " results").hasSize(1);
    assertThat(header(records.get(0), "ce_type")).isEqualTo("ai.kie.generation." + status.toLowerCase());
  }
}
