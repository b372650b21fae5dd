package io.kieworker.queue;

import static io.kieworker.queue.QueueFixture.ONE_WINDOW;
import static io.kieworker.queue.QueueFixture.startedBefore;
import static io.kieworker.queue.QueueFixture.status;
import static io.kieworker.queue.QueueFixture.submittedAt;
import static org.assertj.core.api.Assertions.assertThat;

import io.kieworker.queue.QueueFixture.Req;
import io.kieworker.testing.KafkaBroker;
import io.kieworker.testing.WorkerHarness;
import io.kieworker.worker.WorkerApp;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issue 10's order of creates, black-box: one partition, a 200-request backlog at 10 creates per
 * second, then one request that must not wait behind it — a {@code high} one, or one of another
 * tenant. "Created before the rest" is read from the results' {@code timings.submittedAt}: of the
 * backlog, at most the creates already made when it was produced plus about one window's worth
 * (those the limiter had already let go, or let go while the worker read it) may start earlier.
 */
@ExtendWith(KafkaBroker.class)
@Tag("slow")
class QueueOrderTest {
  private static final Logger LOG = LoggerFactory.getLogger(QueueOrderTest.class);
  private static final int BACKLOG = 200;
  private static final Duration DRAIN = Duration.ofSeconds(90);

  @Test
  void aHighPriorityRequestIsCreatedBeforeTheNormalBacklogItArrivedBehind() {
    try (WorkerHarness h = new WorkerHarness(1, QueueFixture.sim(101L))) {
      WorkerApp worker = h.startWorker(QueueFixture.env(Map.of()));
      List<String> backlog = sendBacklog(h, "n-", "acme", null);
      awaitCreates(h, QueueFixture.LIMIT);

      long createdWhenSent = sendAndCount(h, "acme", Req.of("urgent").tenant("acme").priority("high").json());

      List<String> all = new ArrayList<>(backlog);
      all.add("urgent");
      Map<String, JsonObject> results = h.awaitResultsFor(all, DRAIN);
      assertThat(results.values()).allSatisfy(r -> assertThat(status(r)).as(r.encode()).isEqualTo("SUCCEEDED"));
      assertThat(h.duplicates()).isZero();
      assertThat(QueueFixture.createdTwice(h.sim())).isEmpty();
      assertThat(h.sim().counters().createsAccepted()).isEqualTo(BACKLOG + 1);
      assertThat(createdWhenSent).as("the backlog was still waiting when the high request came")
          .isLessThan(BACKLOG / 2);
      LOG.info("high after a backlog: {} creates when it was produced, {} backlog creates started before it",
          createdWhenSent, startedBefore(results, backlog, "urgent"));
      assertThat(startedBefore(results, backlog, "urgent"))
          .as("backlog creates started before the high one (%d had started when it was produced)", createdWhenSent)
          .isLessThanOrEqualTo(createdWhenSent + ONE_WINDOW);
      String metrics = QueueFixture.scrape(worker.httpPort());
      assertThat(QueueFixture.metric(metrics, "kie_worker_queue_wait_seconds_count", "priority=\"high\""))
          .as("queue wait of the high request recorded").isGreaterThanOrEqualTo(1.0);
      assertThat(QueueFixture.metric(metrics, "kie_worker_queue_wait_seconds_count", "priority=\"normal\""))
          .isGreaterThanOrEqualTo(BACKLOG);
    }
  }

  @Test
  void anotherTenantsSingleRequestWaitsAboutOneRoundNotBehindABacklog() {
    try (WorkerHarness h = new WorkerHarness(1, QueueFixture.sim(102L))) {
      WorkerApp worker = h.startWorker(QueueFixture.env(Map.of()));
      List<String> backlog = sendBacklog(h, "a-", "acme", null);
      awaitCreates(h, QueueFixture.LIMIT);
      Awaitility.await("the backlog shows in the queue gauge").atMost(Duration.ofSeconds(10))
          .until(() -> QueueFixture.metric(QueueFixture.scrape(worker.httpPort()), "kie_worker_queued",
              "tenant=\"acme\"", "priority=\"normal\"") > 0);

      // Same key (same partition) as the backlog; the tenant comes from metadata.tenant here.
      long beforeBeta = sendAndCount(h, "acme", Req.of("beta-1").metadataTenant("beta").json());
      // No tenant at all: the shared default tenant, a third lane.
      long beforeDefault = sendAndCount(h, "acme", Req.of("anon-1").json());

      List<String> all = new ArrayList<>(backlog);
      all.addAll(List.of("beta-1", "anon-1"));
      Map<String, JsonObject> results = h.awaitResultsFor(all, DRAIN);
      assertThat(results.values()).allSatisfy(r -> assertThat(status(r)).as(r.encode()).isEqualTo("SUCCEEDED"));
      assertThat(h.duplicates()).isZero();
      assertThat(QueueFixture.createdTwice(h.sim())).isEmpty();
      assertThat(beforeDefault).as("the backlog was still waiting").isLessThan(BACKLOG / 2);
      LOG.info("tenants: beta {} created when sent / {} before it; default {} / {}", beforeBeta,
          startedBefore(results, backlog, "beta-1"), beforeDefault, startedBefore(results, backlog, "anon-1"));
      assertThat(startedBefore(results, backlog, "beta-1"))
          .as("acme creates before beta's single request (%d had started when it was produced)", beforeBeta)
          .isLessThanOrEqualTo(beforeBeta + ONE_WINDOW);
      assertThat(startedBefore(results, backlog, "anon-1"))
          .as("acme creates before the default tenant's request (%d had started when it was produced)", beforeDefault)
          .isLessThanOrEqualTo(beforeDefault + ONE_WINDOW);
      assertThat(results.get("beta-1").getJsonObject("metadata").getString("tenant")).isEqualTo("beta");
    }
  }

  @Test
  void tenantWeightsShareTheCreatesWhileBothTenantsHaveABacklog() {
    try (WorkerHarness h = new WorkerHarness(1, QueueFixture.sim(103L))) {
      h.startWorker(QueueFixture.env(Map.of("WORKER_TENANT_WEIGHTS", "acme=3,beta=1")));
      List<String> all = new ArrayList<>();
      for (String tenant : List.of("acme", "beta")) {
        for (int i = 0; i < 80; i++) {
          String id = tenant + "-" + i;
          h.send("shared", Req.of(id).tenant(tenant).json());
          all.add(id);
        }
      }

      Map<String, JsonObject> results = h.awaitResultsFor(all, DRAIN);
      assertThat(h.duplicates()).isZero();
      List<String> order = all.stream()
          .sorted(Comparator.comparing((String id) -> QueueFixture.submittedAt(results.get(id)))).toList();
      int firstBeta = order.indexOf(order.stream().filter(id -> id.startsWith("beta-")).findFirst().orElseThrow());
      // 40 creates from beta's first one on: both tenants still have a backlog, 3 acme per beta.
      List<String> shared = order.subList(firstBeta, firstBeta + 40);
      long acme = shared.stream().filter(id -> id.startsWith("acme-")).count();
      LOG.info("weights acme=3,beta=1: {} of 40 creates were acme's", acme);
      assertThat(acme).as("acme's creates among 40 while both wait: " + shared).isBetween(27L, 33L);
    }
  }

  @Test
  void aLowPriorityRequestIsAgedPastANormalBacklogThatKeepsGrowingNotStarved() throws Exception {
    try (WorkerHarness h = new WorkerHarness(1, QueueFixture.sim(104L))) {
      // Aging of 1 s. 30 normal requests at once, then 15 a second for 8 s against 10 creates a second:
      // the normal backlog's oldest request is always over a step old. The low request comes 2 s in.
      h.startWorker(QueueFixture.env(Map.of("WORKER_PRIORITY_AGING", "1s")));
      List<String> normal = new ArrayList<>();
      Map<String, Long> producedAt = new HashMap<>();
      for (int i = 0; i < 30; i++) {
        normal.add(sendTimed(h, "n-" + i, Req.of("n-" + i).tenant("acme"), producedAt));
      }
      long begin = System.nanoTime();
      for (int i = 30; i < 150; i++) {
        long due = begin + (i - 30) * 1_000_000_000L / 15;
        TimeUnit.NANOSECONDS.sleep(Math.max(0, due - System.nanoTime())); // the test's own thread, pacing sends
        normal.add(sendTimed(h, "n-" + i, Req.of("n-" + i).tenant("acme"), producedAt));
        if (i == 60) {
          sendTimed(h, "patient", Req.of("patient").tenant("acme").priority("low"), producedAt);
        }
      }
      List<String> all = new ArrayList<>(normal);
      all.add("patient");

      Map<String, JsonObject> results = h.awaitResultsFor(all, DRAIN);
      assertThat(results.values()).allSatisfy(r -> assertThat(status(r)).isEqualTo("SUCCEEDED"));
      long lowAt = producedAt.get("patient");
      // Any aging that lets "low waiting 2 steps compete as high" creates it before normal requests
      // produced 3 steps after it; without (or with a ceiling at high) it waits for the whole backlog.
      List<String> muchYounger = normal.stream().filter(id -> producedAt.get(id) > lowAt + 3_000).toList();
      long overtook = muchYounger.stream().filter(id -> submittedAt(results.get(id)).isBefore(submittedAt(results.get("patient"))))
          .count();
      LOG.info("aging: {} normal requests produced 3 s after the low one, {} of them created before it",
          muchYounger.size(), overtook);
      assertThat(muchYounger).as("the stream outlasted three aging steps").hasSizeGreaterThan(20);
      assertThat(overtook).as("normal requests produced 3 aging steps after the low one yet created before it")
          .isLessThanOrEqualTo(2);
    }
  }

  private static String sendTimed(WorkerHarness h, String id, Req req, Map<String, Long> producedAt) {
    producedAt.put(id, System.currentTimeMillis());
    h.send("acme", req.json());
    return id;
  }

  /** {@link #BACKLOG} normal requests of one tenant under one key; returns their ids in order. */
  static List<String> sendBacklog(WorkerHarness h, String prefix, String tenant, String priority) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < BACKLOG; i++) {
      String id = prefix + i;
      Req req = Req.of(id).tenant(tenant);
      h.send(tenant, (priority == null ? req : req.priority(priority)).json());
      ids.add(id);
    }
    return ids;
  }

  /** Waits until the worker is creating (the backlog is being worked on, not just read). */
  static void awaitCreates(WorkerHarness h, int n) {
    Awaitility.await("the first creates").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
        .until(() -> h.sim().counters().createsAccepted() >= n);
  }

  /** Sends (acked) and returns how many creates the simulator had accepted by then. */
  static long sendAndCount(WorkerHarness h, String key, String value) {
    h.send(key, value);
    return h.sim().counters().createsAccepted();
  }
}
