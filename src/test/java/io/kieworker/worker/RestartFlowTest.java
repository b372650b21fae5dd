package io.kieworker.worker;

import static io.kieworker.testing.WorkerHarness.marker;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A worker stopped while its tasks run; the next one of the group finishes them from the ledger. */
@ExtendWith(KafkaBroker.class)
class RestartFlowTest {
  private static final Logger LOG = LoggerFactory.getLogger(RestartFlowTest.class);

  @Test
  void pendingTasksSurviveAGracefulStopAndAreFinishedByTheNextWorkerWithoutNewCreates() {
    int n = 20;
    // Tasks of 10-12 s: long enough that none is done before the graceful stop has finished,
    // even on a loaded machine where the stop (commit, consumer close, flush) takes seconds.
    SimOptions sim = new SimOptions().latency(SimOptions.ANY_MODEL, Duration.ofSeconds(10), Duration.ofSeconds(12))
        .rateLimit(0, Duration.ofSeconds(10)).seed(21L);
    Map<String, String> env = Map.of("WORKER_EXPECTED_DURATION", "10s");
    try (WorkerHarness h = new WorkerHarness(3, sim)) {
      WorkerApp first = h.startWorker(env);
      List<String> ids = FailureFlowTest.send(h, "restart", n, "");
      Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> h.sim().tasks().size() == n);

      h.stopWorker(first);
      int beforeRestart = h.results().size();
      assertThat(beforeRestart).as("tasks were still pending at the stop").isLessThan(n);
      h.startWorker(env);

      Map<String, JsonObject> byId = h.awaitResultsFor(ids, Duration.ofSeconds(60));

      long creates = h.sim().counters().createsAccepted();
      long polls = h.sim().counters().recordInfoPolls();
      LOG.info("restart figures: sent={} results={} beforeRestart={} missing={} duplicates={} creates={}"
              + " createsPerRequest={} polls={} pollsPerTask={}", n, h.results().size(), beforeRestart,
          h.missing(ids).size(), h.duplicates(), creates, (double) creates / n, polls, (double) polls / n);
      assertThat(h.missing(ids)).isEmpty();
      assertThat(h.duplicates()).isZero();
      ids.forEach(id -> {
        assertThat(byId.get(id).getString("status")).as(id).isEqualTo("SUCCEEDED");
        assertThat(byId.get(id).getInteger("attempts")).as(id).isEqualTo(1);
        assertThat(h.simTasksWithPrompt(marker(id))).as(id).isEqualTo(1);
      });
      assertThat(creates).isEqualTo(n);
      assertThat(h.sim().counters().createRequests()).isEqualTo(n);
    }
  }

  @Test
  void aSecondWorkerJoiningMidFlightTakesOverPartitionsWithoutDuplicatesOrNewCreates() {
    int n = 30;
    SimOptions sim = new SimOptions().latency(SimOptions.ANY_MODEL, Duration.ofMillis(1500), Duration.ofMillis(2500))
        .rateLimit(0, Duration.ofSeconds(10)).seed(22L);
    // A slow create pace keeps creates in flight while the partitions move.
    Map<String, String> env = Map.of("WORKER_CREATE_RATE_LIMIT", "10", "WORKER_CREATE_RATE_WINDOW", "1s");
    try (WorkerHarness h = new WorkerHarness(4, sim)) {
      h.startWorker(env);
      List<String> ids = FailureFlowTest.send(h, "join", n, "");
      Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> h.sim().tasks().size() >= 8);
      h.startWorker(env);

      Map<String, JsonObject> byId = h.awaitResultsFor(ids, Duration.ofSeconds(60));

      assertThat(h.missing(ids)).isEmpty();
      assertThat(h.duplicates()).isZero();
      ids.forEach(id -> {
        assertThat(byId.get(id).getString("status")).as(id).isEqualTo("SUCCEEDED");
        assertThat(h.simTasksWithPrompt(marker(id))).as(id).isEqualTo(1);
      });
      assertThat(h.sim().counters().createsAccepted()).isEqualTo(n);
    }
  }

  @Test
  void aRestartedWorkerPollsWithWhatThePreviousOneLearnedOfTheModelsDurations() {
    int n = 6;
    SimOptions sim = new SimOptions().latency(SimOptions.ANY_MODEL, Duration.ofMillis(300), Duration.ofMillis(600))
        .rateLimit(0, Duration.ofSeconds(10)).seed(23L);
    try (WorkerHarness h = new WorkerHarness(2, sim)) {
      WorkerApp first = h.startWorker(Map.of());
      List<String> ids = FailureFlowTest.send(h, "learn", n, "");
      h.awaitResultsFor(ids, Duration.ofSeconds(30));
      h.stopWorker(first);

      WorkerApp second = h.startWorker(Map.of());
      // The second worker completes nothing itself: every sample comes from the ledger's TERMINAL records.
      Awaitility.await().atMost(Duration.ofSeconds(30))
          .until(() -> second.worker().completionTimes().samples("google/nano-banana") == n);
      long learned = second.worker().completionTimes().conditionalQuantile("google/nano-banana", 0, 0.5);
      assertThat(learned).as("a first-attempt duration from submission to completion").isBetween(300L, 10_000L);
      assertThat(h.sim().counters().createsAccepted()).isEqualTo(n);
    }
  }
}
