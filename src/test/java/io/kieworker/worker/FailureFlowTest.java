package io.kieworker.worker;

import static io.kieworker.testing.WorkerHarness.marker;
import static io.kieworker.testing.WorkerHarness.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.kieworker.sim.SimOptions;
import io.kieworker.testing.KafkaBroker;
import io.kieworker.testing.WorkerHarness;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** What Kie.ai does wrong: rate limits, slow tasks, failed tasks, no credits. */
@ExtendWith(KafkaBroker.class)
class FailureFlowTest {

  private static SimOptions fastSim() {
    return new SimOptions().latency(SimOptions.ANY_MODEL, Duration.ofMillis(100), Duration.ofMillis(300)).seed(9L);
  }

  @Test
  void a429StormEndsWithEveryRequestPaidOnce() {
    int n = 15;
    // The worker allows itself more than Kie.ai (the simulator) accepts, so 429s really happen.
    try (WorkerHarness h = new WorkerHarness(3, fastSim().rateLimit(3, Duration.ofSeconds(2)))) {
      h.startWorker(Map.of("WORKER_CREATE_RATE_LIMIT", "10", "WORKER_CREATE_RATE_WINDOW", "2s"));
      List<String> ids = send(h, "storm", n, "");

      Map<String, JsonObject> byId = h.awaitResultsFor(ids, Duration.ofSeconds(30));

      assertThat(h.missing(ids)).isEmpty();
      assertThat(h.duplicates()).isZero();
      ids.forEach(id -> {
        assertThat(byId.get(id).getString("status")).as(id).isEqualTo("SUCCEEDED");
        assertThat(byId.get(id).getInteger("attempts")).as(id).isEqualTo(1);
        assertThat(h.simTasksWithPrompt(marker(id))).as(id).isEqualTo(1);
      });
      assertThat(h.sim().counters().createsAccepted()).isEqualTo(n);
      assertThat(h.sim().counters().rateLimited()).as("429s answered by the simulator").isPositive();
    }
  }

  @Test
  void aTaskStillRunningAtTheDeadlineEndsTimedOut() {
    try (WorkerHarness h = new WorkerHarness(2, new SimOptions()
        .latency(SimOptions.ANY_MODEL, Duration.ofSeconds(10)).seed(1L))) {
      h.startWorker(Map.of("WORKER_DEADLINE", "2s"));
      List<String> ids = send(h, "late", 3, "");

      Map<String, JsonObject> byId = h.awaitResultsFor(ids, Duration.ofSeconds(15));

      assertThat(h.duplicates()).isZero();
      ids.forEach(id -> {
        JsonObject r = byId.get(id);
        assertThat(r.getString("status")).as(r.encode()).isEqualTo("TIMED_OUT");
        assertThat(r.getJsonObject("error").getString("code")).isEqualTo("DEADLINE");
        assertThat(r.getInteger("attempts")).isEqualTo(1);
        assertThat(r.getString("taskId")).isNotBlank();
        Instant submitted = Instant.parse(r.getJsonObject("timings").getString("submittedAt"));
        Instant completed = Instant.parse(r.getJsonObject("timings").getString("completedAt"));
        assertThat(Duration.between(submitted, completed)).as("not before the deadline")
            .isGreaterThanOrEqualTo(Duration.ofMillis(1900)).isLessThan(Duration.ofSeconds(8));
        assertThat(h.simTasksWithPrompt(marker(id))).isEqualTo(1);
      });
      assertThat(h.sim().counters().createsAccepted()).isEqualTo(3);
      assertThat(h.sim().tasks().succeeded()).as("the tasks were still running").isZero();
    }
  }

  @Test
  void aTaskFailedWith5xxIsResubmittedOnceAndOtherFailuresAreFinal() {
    try (WorkerHarness h = new WorkerHarness(2, fastSim())) {
      h.startWorker(Map.of("WORKER_RESUBMIT_5XX", "1"));
      h.send("a", request("r-fail-500", "google/nano-banana", "[sim:fail=500]"));
      h.send("b", request("r-fail-422", "google/nano-banana", "[sim:fail=422]"));
      h.send("c", request("r-fine", "google/nano-banana", ""));
      List<String> ids = List.of("r-fail-500", "r-fail-422", "r-fine");

      Map<String, JsonObject> byId = h.awaitResultsFor(ids, Duration.ofSeconds(25));

      assertThat(h.duplicates()).isZero();
      JsonObject fail500 = byId.get("r-fail-500");
      assertThat(fail500.getString("status")).as(fail500.encode()).isEqualTo("FAILED");
      assertThat(fail500.getInteger("attempts")).isEqualTo(2);
      assertThat(fail500.getJsonObject("error").getString("code")).isEqualTo("500");
      assertThat(h.simTasksWithPrompt(marker("r-fail-500"))).as("resubmitted once").isEqualTo(2);
      assertThat(h.sim().tasks().find(fail500.getString("taskId"))).as("the result names the second task").isPresent();

      JsonObject fail422 = byId.get("r-fail-422");
      assertThat(fail422.getString("status")).as(fail422.encode()).isEqualTo("FAILED");
      assertThat(fail422.getInteger("attempts")).isEqualTo(1);
      assertThat(fail422.getJsonObject("error").getString("code")).isEqualTo("422");
      assertThat(h.simTasksWithPrompt(marker("r-fail-422"))).isEqualTo(1);

      assertThat(byId.get("r-fine").getString("status")).isEqualTo("SUCCEEDED");
      assertThat(h.sim().counters().createsAccepted()).isEqualTo(4);
    }
  }

  /** The worker re-checks credits every 30 s (fixed), so this takes 30-40 s. */
  @Test
  @Tag("slow")
  void noCreditsPausesTheWorkerUntilCreditsAreBack() {
    int n = 3;
    try (WorkerHarness h = new WorkerHarness(1, fastSim().credits(0))) {
      WorkerApp app = h.startWorker(Map.of());
      List<String> ids = send(h, "broke", n, "");

      Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> h.sim().counters().rejections(402) >= 1);
      // Creates already in flight may still land: wait until the count stays put for 3 s.
      AtomicLong lastCount = new AtomicLong(-1);
      Awaitility.await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(8)).until(() -> {
        long now = h.sim().counters().createRequests();
        return lastCount.getAndSet(now) == now && h.results().isEmpty();
      });
      assertThat(h.sim().counters().createRequests()).as("each request tried once, then paused").isBetween(1L, (long) n);
      assertThat(h.sim().counters().rejections(402)).isEqualTo(h.sim().counters().createRequests());
      assertThat(app.registry().find("kie_worker.partitions.paused").gauge().value()).isEqualTo(1.0);
      assertThat(h.sim().counters().createsAccepted()).isZero();

      h.sim().credits(1000);
      Map<String, JsonObject> byId = h.awaitResultsFor(ids, Duration.ofSeconds(45));

      assertThat(h.duplicates()).isZero();
      ids.forEach(id -> {
        assertThat(byId.get(id).getString("status")).as(id).isEqualTo("SUCCEEDED");
        assertThat(byId.get(id).getInteger("attempts")).as(id).isEqualTo(1);
        assertThat(h.simTasksWithPrompt(marker(id))).as(id).isEqualTo(1);
      });
      assertThat(h.sim().counters().createsAccepted()).isEqualTo(n);
      assertThat(app.registry().find("kie_worker.partitions.paused").gauge().value()).isZero();
    }
  }

  static List<String> send(WorkerHarness h, String prefix, int n, String promptExtra) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String id = prefix + "-" + i;
      ids.add(id);
      h.send(id, request(id, "google/nano-banana", promptExtra));
    }
    return ids;
  }
}
