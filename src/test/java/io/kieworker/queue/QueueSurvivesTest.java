package io.kieworker.queue;

import static io.kieworker.queue.QueueFixture.ONE_WINDOW;
import static io.kieworker.queue.QueueFixture.status;
import static io.kieworker.queue.QueueFixture.submittedAt;
import static org.assertj.core.api.Assertions.assertThat;

import io.kieworker.chaos.WorkerProcess;
import io.kieworker.queue.QueueFixture.Req;
import io.kieworker.sim.SimTask;
import io.kieworker.testing.KafkaBroker;
import io.kieworker.testing.WorkerHarness;
import io.kieworker.worker.WorkerApp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.utils.Utils;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The queue is in the ledger, not in a JVM: a backlog with priorities, two tenants, deadlines and
 * cancels on two partitions, worked on by a worker in its own JVM that is killed with SIGKILL, taken
 * over by a fresh instance, which a second instance then joins (a rebalance hands a partition over).
 * Cancels are sent before the kill, while no worker runs, and after the rebalance.
 */
@ExtendWith(KafkaBroker.class)
class QueueSurvivesTest {
  private static final Logger LOG = LoggerFactory.getLogger(QueueSurvivesTest.class);
  private static final int PARTITIONS = 2;
  private static final int PER_PARTITION = 100;

  private final List<String> sent = new ArrayList<>();
  private final Set<String> cancelled = new HashSet<>();
  private final Set<String> expired = new HashSet<>();
  private final List<String> backlog = new ArrayList<>();

  @Test
  @Tag("slow")
  void prioritiesTenantsDeadlinesAndCancelsSurviveAKill9AndARebalance() throws Exception {
    try (WorkerHarness h = new WorkerHarness(PARTITIONS, QueueFixture.sim(301L))) {
      String[] keys = {keyOn(0), keyOn(1)};
      Path dir = Files.createTempDirectory("queue-survives-");
      // A short session so the group gives the killed member's partitions away in seconds.
      Path overlay = WorkerProcess.shortSessionOverlay(dir, 6000);
      Map<String, String> env = new HashMap<>(h.env(QueueFixture.env(Map.of("LOG_FORMAT", "text"))));
      WorkerProcess first = WorkerProcess.start("queue-1", env, overlay, dir);
      List<WorkerApp> apps = new ArrayList<>();
      try {
        Awaitility.await("the child JVM worker ready").atMost(Duration.ofSeconds(90))
            .pollInterval(Duration.ofMillis(250)).until(() -> {
              assertThat(first.alive()).as("exited early; see " + first.log).isTrue();
              return first.ready();
            });

        // ---- while the first worker runs ----
        for (int i = 0; i < PER_PARTITION; i++) {
          for (int p = 0; p < PARTITIONS; p++) {
            String id = "p" + p + "-" + i;
            backlog.add(id);
            send(h, keys[p], id, Req.of(id).tenant("acme"));
          }
        }
        long createdWhenBetaSent = h.sim().counters().createsAccepted();
        for (int i = 0; i < 3; i++) {
          send(h, keys[0], "beta-" + i, Req.of("beta-" + i).tenant("beta"));
        }
        send(h, keys[1], "low-0", Req.of("low-0").tenant("acme").priority("low"));
        expire(h, keys[0], "gone", Instant.now().minus(Duration.ofMinutes(5)));
        expire(h, keys[1], "soon", Instant.now().plusSeconds(3)); // the backlog ahead of it takes ~20 s
        cancel(h, keys, 90, 95);
        QueueOrderTest.awaitCreates(h, 20);
        awaitNoCreateFor(h, Duration.ofMillis(300)); // no create in flight: the kill cannot make one ambiguous
        first.kill9();
        Instant killedAt = Instant.now();
        long createdByFirst = h.sim().counters().createsAccepted();
        Set<String> resultsBeforeTakeover = h.resultsById().keySet();

        // ---- no worker at all ----
        send(h, keys[0], "hi-0", Req.of("hi-0").tenant("acme").priority("high"));
        send(h, keys[1], "hi-1", Req.of("hi-1").tenant("acme").priority("high"));
        cancel(h, keys, 95, 98);

        // ---- a fresh instance takes over the killed one's partitions ----
        apps.add(h.startWorker(QueueFixture.env(Map.of())));
        h.awaitResultsFor(List.of("hi-0", "hi-1"), Duration.ofSeconds(60));

        // ---- a second instance joins: the group rebalances, one partition moves ----
        WorkerApp second = h.startWorker(QueueFixture.env(Map.of()));
        apps.add(second);
        Awaitility.await("the rebalance gave the new instance a partition").atMost(Duration.ofSeconds(60))
            .until(() -> owned(second).size() == 1 && owned(apps.get(0)).size() == 1);
        List<String> tail = List.of("p0-98", "p0-99", "p1-98", "p1-99");
        assertThat(QueueFixture.created(h.sim(), tail)).as("the backlog's tail still waits; created: %s",
            createOrder(h)).isEmpty();
        cancel(h, keys, 98, 100);
        long createdWhenHi2Sent = h.sim().counters().createsAccepted();
        send(h, keys[0], "hi-2", Req.of("hi-2").tenant("acme").priority("high"));

        Map<String, JsonObject> results = h.awaitResultsFor(sent, Duration.ofSeconds(120));

        LOG.info("kill -9 and rebalance: {} created by the killed worker; backlog creates after the restart before"
                + " hi-0 {}, hi-1 {}; before hi-2 {} (had {}); before beta-2 {} (had {}); duplicates {}", createdByFirst,
            startedBetween(results, killedAt, submittedAt(results.get("hi-0"))),
            startedBetween(results, killedAt, submittedAt(results.get("hi-1"))),
            QueueFixture.startedBefore(results, backlog, "hi-2"), createdWhenHi2Sent,
            QueueFixture.startedBefore(results, backlog, "beta-2"), createdWhenBetaSent, h.duplicates());
        // ---- every request ended once, as it should have ----
        assertThat(QueueFixture.createdTwice(h.sim())).as("request ids created twice").isEmpty();
        assertThat(QueueFixture.created(h.sim(), cancelled)).as("cancelled yet created").isEmpty();
        assertThat(QueueFixture.created(h.sim(), expired)).as("expired yet created").isEmpty();
        for (String id : sent) {
          String expected = cancelled.contains(id) ? "CANCELLED" : expired.contains(id) ? "EXPIRED" : "SUCCEEDED";
          assertThat(status(results.get(id))).as(id + ": " + results.get(id).encode()).isEqualTo(expected);
        }
        assertThat(h.sim().counters().createsAccepted()).isEqualTo(sent.size() - cancelled.size() - expired.size());
        assertOneOutcomeEach(h, resultsBeforeTakeover);
        assertThat(createdByFirst).as("the kill came while the backlog waited").isLessThan(PER_PARTITION);
        for (String hi : List.of("hi-0", "hi-1")) {
          assertThat(startedBetween(results, killedAt, submittedAt(results.get(hi))))
              .as("backlog creates after the restart and before %s", hi).isLessThanOrEqualTo(ONE_WINDOW);
        }
        assertThat(QueueFixture.startedBefore(results, backlog, "hi-2"))
            .as("backlog creates before hi-2, sent after the rebalance (%d had started)", createdWhenHi2Sent)
            .isLessThanOrEqualTo(createdWhenHi2Sent + ONE_WINDOW);
        assertThat(QueueFixture.startedBefore(results, backlog, "beta-2"))
            .as("acme creates before beta's third request (%d had started when beta's were sent)", createdWhenBetaSent)
            .isLessThanOrEqualTo(createdWhenBetaSent + 2L * ONE_WINDOW);
        assertThat(submittedAt(results.get("low-0"))).as("low still created").isNotNull();
        for (int p = 0; p < PARTITIONS; p++) {
          String prefix = "p" + p + "-";
          List<String> partition = backlog.stream().filter(id -> id.startsWith(prefix)).toList();
          assertThat(QueueFixture.outOfOrder(results, partition, 3))
              .as("acme's requests on partition %d created first in, first out across the kill and the rebalance", p)
              .isEmpty();
        }
      } finally {
        if (first.alive()) {
          first.kill9();
        }
      }
    }
  }

  /**
   * A queue waits committed, in the ledger (RELEASED, attempts 0); a restarted worker creates it in the
   * order it came in (issue 10 regression: the ledger replay restored it in hash order).
   */
  @Test
  void aRestartedWorkerCreatesTheQueuedRequestsInTheOrderTheyCameIn() {
    try (WorkerHarness h = new WorkerHarness(1, QueueFixture.sim(302L))) {
      WorkerApp first = h.startWorker(QueueFixture.env(Map.of()));
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 60; i++) {
        ids.add("r-" + i);
        h.send("acme", Req.of("r-" + i).tenant("acme").json());
      }
      QueueOrderTest.awaitCreates(h, QueueFixture.LIMIT);
      // Accepted requests wait in the ledger, not in uncommitted offsets: the whole backlog is committed.
      Awaitility.await("the backlog's offsets committed while it waits").atMost(Duration.ofSeconds(10))
          .until(() -> QueueFixture.committed(h, 0) == 60);
      assertThat(QueueFixture.created(h.sim(), List.of("r-59"))).as("the last one still queued").isEmpty();
      JsonObject queued = new JsonObject(KafkaBroker.latestValue(h.ledger, 0, "r-59"));
      assertThat(queued.getString("type")).isEqualTo("RELEASED");
      assertThat(queued.getInteger("attempts")).isZero();
      h.stopWorker(first); // the queued ones stay in the ledger as RELEASED for the next owner
      long createdByFirst = h.sim().counters().createsAccepted();
      h.startWorker(QueueFixture.env(Map.of()));

      Map<String, JsonObject> results = h.awaitResultsFor(ids, Duration.ofSeconds(60));

      assertThat(createdByFirst).as("a queue was left to restore").isLessThan(40);
      assertThat(QueueFixture.createdTwice(h.sim())).isEmpty();
      assertThat(results.values()).allSatisfy(r -> assertThat(status(r)).isEqualTo("SUCCEEDED"));
      assertThat(QueueFixture.outOfOrder(results, ids, 3)).as("created first in, first out after the restart; "
          + "created: %s", createOrder(h)).isEmpty();
    }
  }


  private void send(WorkerHarness h, String key, String id, Req req) {
    h.send(key, req.json());
    sent.add(id);
  }

  private void expire(WorkerHarness h, String key, String id, Instant at) {
    send(h, key, id, Req.of(id).tenant("acme").expiresAt(at));
    expired.add(id);
  }

  /** Cancels backlog requests {@code from} (inclusive) to {@code to} (exclusive) on every partition. */
  private void cancel(WorkerHarness h, String[] keys, int from, int to) {
    for (int i = from; i < to; i++) {
      for (int p = 0; p < PARTITIONS; p++) {
        String id = "p" + p + "-" + i;
        h.send(keys[p], QueueFixture.cancel(id));
        cancelled.add(id);
      }
    }
  }

  /** Backlog creates that started after {@code from} and before {@code to}. */
  private long startedBetween(Map<String, JsonObject> results, Instant from, Instant to) {
    return backlog.stream().map(results::get).filter(r -> r != null).map(QueueFixture::submittedAt)
        .filter(at -> at != null && at.isAfter(from) && at.isBefore(to)).count();
  }

  /**
   * Each request's results agree (one status, one task); a second copy is only a republished result
   * of the killed worker (published, not yet recorded as such when it died), as the contract allows.
   */
  private void assertOneOutcomeEach(WorkerHarness h, Set<String> resultsBeforeTakeover) {
    Map<String, List<JsonObject>> byId = h.results().stream().map(QueueSurvivesTest::json)
        .collect(Collectors.groupingBy(r -> r.getString("requestId")));
    byId.forEach((id, copies) -> {
      assertThat(copies.stream().map(r -> status(r) + "/" + r.getString("taskId")).distinct())
          .as(id + " results agree").hasSize(1);
      if (copies.size() > 1) {
        assertThat(resultsBeforeTakeover).as(id + " published twice").contains(id);
      }
    });
    assertThat(byId.keySet()).containsExactlyInAnyOrderElementsOf(sent);
  }

  /** The request ids in the order the simulator created them, with the create's time (for failures). */
  private static String createOrder(WorkerHarness h) {
    return h.sim().tasks().all().stream().sorted(Comparator.comparingLong(SimTask::createTime))
        .map(t -> QueueFixture.idOf(t) + "@" + (t.createTime() % 100_000)).collect(Collectors.joining(" "));
  }

  private static JsonObject json(ConsumerRecord<String, byte[]> record) {
    return new JsonObject(new String(record.value(), StandardCharsets.UTF_8));
  }

  private static Set<Integer> owned(WorkerApp app) {
    JsonArray partitions = app.worker().health().toJson().getJsonArray("partitions");
    return partitions.stream().map(p -> (Integer) p).collect(Collectors.toSet());
  }

  private static void awaitNoCreateFor(WorkerHarness h, Duration quiet) {
    long[] last = {h.sim().counters().createRequests(), System.nanoTime()};
    Awaitility.await("a moment without creates").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10))
        .until(() -> {
          long now = h.sim().counters().createRequests();
          if (now != last[0]) {
            last[0] = now;
            last[1] = System.nanoTime();
          }
          return System.nanoTime() - last[1] >= quiet.toNanos();
        });
  }

  /** A key the default partitioner puts on {@code partition} of {@link #PARTITIONS}. */
  private static String keyOn(int partition) {
    for (int i = 0; ; i++) {
      String key = "tenant-key-" + i;
      if (Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % PARTITIONS == partition) {
        return key;
      }
    }
  }
}
