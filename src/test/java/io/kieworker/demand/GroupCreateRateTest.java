package io.kieworker.demand;

import static io.kieworker.testing.WorkerHarness.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.kieworker.sim.SimOptions;
import io.kieworker.sim.SimTask;
import io.kieworker.testing.CreateRates;
import io.kieworker.testing.KafkaBroker;
import io.kieworker.testing.WorkerHarness;
import io.kieworker.worker.WorkerApp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issue 10 item 1: three instances, three partitions, every request under ONE key (so one partition,
 * one instance holds the whole backlog). The simulator enforces the account's limit (10 per 5 s,
 * the worker told the same); the group must create at ≥ 0.95 of it and never be answered 429.
 *
 * <p>The rate is measured on the simulator's accepted-create times, index to index: from the first
 * create one window after the first create (warm-up: the share moving to the hot instance starts as
 * used for a window) over {@link #MEASURED_WINDOWS} × limit creates, so the phase of the sliding
 * window's bursts does not distort it.
 */
@Tag("slow")
@ExtendWith(KafkaBroker.class)
class GroupCreateRateTest {
  private static final Logger LOG = LoggerFactory.getLogger(GroupCreateRateTest.class);
  private static final int LIMIT = 10;
  /**
   * Short enough for a test, long enough that the create pipeline's own delay between a slot freeing
   * and the create leaving (ledger write and barrier, tens of ms; hundreds on a loaded machine) stays
   * below the 5 % the threshold leaves: the rate per window is limit / (window × 1.02 + that delay).
   */
  private static final Duration WINDOW = Duration.ofSeconds(5);
  private static final int MEASURED_WINDOWS = 4;

  @Test
  void aBacklogUnderOneKeyIsCreatedAtTheAccountsLimitByThreeInstancesWithout429() {
    int backlog = LIMIT * (MEASURED_WINDOWS + 3);
    try (WorkerHarness h = new WorkerHarness(3, sim())) {
      List<WorkerApp> apps = startGroup(h, 3);
      List<String> ids = sendBacklog(h, "one", backlog);
      h.awaitResultsFor(ids, Duration.ofSeconds(120));

      double ratio = ratio(acceptedTimes(h, 0), LIMIT * MEASURED_WINDOWS);
      LOG.info("group create rate, one key, 3 instances: ratio {} ({} creates, {} answered 429)",
          String.format("%.3f", ratio), h.sim().counters().createsAccepted(), h.sim().counters().rateLimited());
      assertThat(h.sim().counters().rateLimited()).as("creates answered 429").isZero();
      assertThat(ratio).as("accepted creates / the account's limit").isGreaterThanOrEqualTo(0.95);
      assertThat(h.sim().counters().createsAccepted()).isEqualTo(backlog);
      apps.forEach(h::stopWorker);
    }
  }

  /**
   * The instance holding the backlog stops mid-backlog: its partition and its demand move to
   * another instance, which takes the share over (the stopped one's last window respected): still no
   * 429, and the rate measured after the hand-over is back at the limit.
   */
  @Test
  void whenTheHotInstanceStopsMidBacklogTheOthersTakeItsShareWithout429() {
    int backlog = LIMIT * (MEASURED_WINDOWS + 5);
    try (WorkerHarness h = new WorkerHarness(3, sim())) {
      List<WorkerApp> apps = startGroup(h, 3);
      List<String> ids = sendBacklog(h, "hot", backlog);
      Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> h.sim().counters().createsAccepted() >= 2 * LIMIT);
      WorkerApp hot = apps.stream().filter(a -> a.worker().pendingCount() > 0).findFirst().orElseThrow();
      h.stopWorker(hot);
      long stoppedAt = System.currentTimeMillis();
      h.awaitResultsFor(ids, Duration.ofSeconds(150));

      List<Long> after = acceptedTimes(h, stoppedAt);
      double ratio = ratio(after, LIMIT * MEASURED_WINDOWS);
      LOG.info("group create rate after the hot instance stopped: ratio {} ({} creates after, {} answered 429)",
          String.format("%.3f", ratio), after.size(), h.sim().counters().rateLimited());
      assertThat(h.sim().counters().rateLimited()).as("creates answered 429").isZero();
      assertThat(ratio).as("accepted creates after the hand-over / the account's limit").isGreaterThanOrEqualTo(0.95);
      assertThat(h.missing(ids)).isEmpty();
    }
  }

  private static SimOptions sim() {
    return new SimOptions().rateLimit(LIMIT, WINDOW)
        .latency(SimOptions.ANY_MODEL, Duration.ofMillis(100), Duration.ofMillis(300)).seed(10L);
  }

  /** {@code n} instances, each owning one partition and live in the group's view with the others. */
  private static List<WorkerApp> startGroup(WorkerHarness h, int n) {
    Map<String, String> env = Map.of("WORKER_CREATE_RATE_LIMIT", Integer.toString(LIMIT),
        "WORKER_CREATE_RATE_WINDOW", WINDOW.toMillis() + "ms", "WORKER_DEMAND_INTERVAL", "250ms");
    List<WorkerApp> apps = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      apps.add(h.startWorker(env));
    }
    Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
        .until(() -> apps.stream().allMatch(a -> gauge(a, "kie_worker.demand.instances") == n
            && gauge(a, "kie_worker.demand.live") == 1
            && a.worker().health().toJson().getJsonArray("partitions").size() == h.partitions / n));
    return apps;
  }

  private static List<String> sendBacklog(WorkerHarness h, String key, int n) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String id = key + "-" + i;
      ids.add(id);
      h.send(key, request(id, "google/nano-banana", ""));
    }
    return ids;
  }

  private static double gauge(WorkerApp app, String name) {
    var g = app.registry().find(name).gauge();
    return g == null ? -1 : g.value();
  }

  /** The simulator's accepted-create times at or after {@code from}, in order. */
  private static List<Long> acceptedTimes(WorkerHarness h, long from) {
    return h.sim().tasks().all().stream().map(SimTask::createTime).filter(t -> t >= from).sorted().toList();
  }

  private static double ratio(List<Long> times, int creates) {
    LOG.info("accepted creates at (ms after the first): {}", times.stream().map(t -> t - times.get(0)).toList());
    return CreateRates.ratio(times, creates, WINDOW, LIMIT);
  }
}
