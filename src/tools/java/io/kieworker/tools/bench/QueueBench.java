package io.kieworker.tools.bench;

import io.kieworker.config.ConfigLoader;
import io.kieworker.config.WorkerConfig;
import io.kieworker.sim.SimOptions;
import io.kieworker.worker.WorkerApp;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;

/**
 * Scenario 6: the queue wait (request produced → its create started, from the result's
 * {@code timings.submittedAt}) of a small tenant sending one request every 2 s behind a large
 * tenant's backlog, all on one partition, at a create limit of 10 per second. Run twice on fresh
 * topics: with the two tenants named, and with every request in the default tenant (the FIFO
 * baseline, as before issue 10). The small tenant sends while the backlog would still be queued
 * (during the first half of its drain time).
 */
final class QueueBench {
  static final String NAME = "queue";
  static final int BACKLOG = BenchOptions.QUEUE_BACKLOG;
  /** A short window so a 500-request backlog drains in about 50 s instead of Kie.ai's 250 s. */
  static final int LIMIT = 10;
  static final Duration WINDOW = Duration.ofSeconds(1);
  static final Duration SMALL_EVERY = Duration.ofSeconds(2);
  /** One key for both tenants (one partition): the small tenant is behind the backlog in the log too. */
  private static final String KEY = "shared-upstream";

  private final BenchOptions options;
  private final String bootstrap;
  private final BenchReport report;

  QueueBench(BenchOptions options, String bootstrap, BenchReport report) {
    this.options = options;
    this.bootstrap = bootstrap;
    this.report = report;
  }

  void run() {
    int backlog = options.requestsOr(BACKLOG);
    int small = smallRequests(backlog);
    options.out().printf("   large tenant: %d requests at once; small tenant: %d, one every %ds; "
        + "create limit %d / %s; one partition%n", backlog, small, SMALL_EVERY.toSeconds(), LIMIT, Bench.millis(WINDOW));
    Outcome fair = measure("tenants named", backlog, small, true);
    Outcome fifo = measure("one default tenant (FIFO)", backlog, small, false);
    double round = 2.0 * WINDOW.toMillis() / 1000.0;
    report.figure(NAME, "queue_backlog", backlog);
    report.figure(NAME, "queue_small_requests", small);
    report.atMost(NAME, "small_tenant_wait_p50_s", seconds(fair.smallP50), round);
    report.atMost(NAME, "small_tenant_wait_p99_s", seconds(fair.smallP99), round);
    report.figure(NAME, "large_tenant_wait_p50_s", seconds(fair.largeP50));
    report.figure(NAME, "fifo_wait_p50_s", seconds(fifo.smallP50));
    report.figure(NAME, "fifo_wait_p99_s", seconds(fifo.smallP99));
    report.figure(NAME, "fifo_large_wait_p50_s", seconds(fifo.largeP50));
    report.note("queue: small_tenant_wait = the small tenant's wait behind the backlog, tenants named; "
        + "fifo_wait = the same requests, every request in the default tenant");
  }

  /** As many small-tenant requests as fit, one per {@link #SMALL_EVERY}, in half the backlog's drain time. */
  static int smallRequests(int backlog) {
    double drainSeconds = backlog / (LIMIT * 1000.0 / WINDOW.toMillis());
    return Math.max(3, (int) (drainSeconds / 2 / SMALL_EVERY.toSeconds()));
  }

  private record Outcome(long smallP50, long smallP99, long largeP50) {}

  private Outcome measure(String mode, int backlog, int small, boolean tenants) {
    BenchTopics topics = BenchTopics.create(bootstrap, NAME, 1);
    SimOptions simOptions = new SimOptions().rateLimit(LIMIT, WINDOW)
        .latency(SimOptions.ANY_MODEL, Duration.ofMillis(200), Duration.ofMillis(500));
    Map<String, Long> sentAt = new ConcurrentHashMap<>();
    long begin = System.nanoTime();
    try (BenchSim sim = new BenchSim(simOptions);
         ResultCollector results = new ResultCollector(bootstrap, topics.results(), 1);
         RequestProducer producer = new RequestProducer(bootstrap, topics.requests())) {
      WorkerConfig config = ConfigLoader.load(null, Bench.workerEnv(bootstrap, topics, sim.baseUrl(), Map.of(
          "WORKER_CREATE_RATE_LIMIT", Integer.toString(LIMIT), "WORKER_CREATE_RATE_WINDOW", Bench.millis(WINDOW),
          "WORKER_EXPECTED_DURATION", "300ms", "WORKER_POLL_MIN_GAP", "100ms", "WORKER_POLL_RATE", "100")));
      WorkerApp app = Bench.await(WorkerApp.start(config), Bench.START_TIMEOUT, "starting a worker");
      try {
        for (int i = 0; i < backlog; i++) {
          String id = "large-" + i;
          producer.send(KEY, request(id, tenants ? "large" : null, results, sentAt));
        }
        producer.flush();
        producer.sendPaced(small, SMALL_EVERY.multipliedBy(small), i -> KEY,
            i -> request("small-" + i, tenants ? "small" : null, results, sentAt));
        Bench.require(results.awaitCount(backlog + small, options.timeout()),
            "only " + results.count() + " of " + (backlog + small) + " results within " + options.timeout());
      } finally {
        Bench.await(app.stop(), Duration.ofSeconds(60), "stopping the worker");
      }
      long[] smallWaits = waits(results, sentAt, "small-", small);
      long[] largeWaits = waits(results, sentAt, "large-", backlog);
      Outcome o = new Outcome(ResultCollector.percentile(smallWaits, 0.5), ResultCollector.percentile(smallWaits, 0.99),
          ResultCollector.percentile(largeWaits, 0.5));
      options.out().printf("   %s: small tenant wait p50 %.2fs p99 %.2fs (%d requests), large tenant p50 %.2fs; "
              + "%d results in %.1fs, %d answered 429%n", mode, o.smallP50 / 1000.0, o.smallP99 / 1000.0,
          smallWaits.length, o.largeP50 / 1000.0, results.count(), (System.nanoTime() - begin) / 1e9,
          sim.sim.counters().rateLimited());
      return o;
    }
  }

  /** A request of {@code tenant} (none = the default tenant), watched and timed as it is produced. */
  private static byte[] request(String id, String tenant, ResultCollector results, Map<String, Long> sentAt) {
    results.watch(id);
    sentAt.put(id, System.currentTimeMillis());
    JsonObject json = new JsonObject().put("requestId", id).put("model", Bench.MODEL)
        .put("input", new JsonObject().put("prompt", "a queued benchmark banana"));
    if (tenant != null) {
      json.put("tenant", tenant);
    }
    return json.encode().getBytes(StandardCharsets.UTF_8);
  }

  /** Produced → create started, in ms, sorted; requests without a started create are left out. */
  private static long[] waits(ResultCollector results, Map<String, Long> sentAt, String prefix, int n) {
    return IntStream.range(0, n).mapToObj(i -> prefix + i).mapToLong(id -> {
      Instant submitted = results.submittedAt(id);
      return submitted == null ? -1 : Math.max(0, submitted.toEpochMilli() - sentAt.get(id));
    }).filter(w -> w >= 0).sorted().toArray();
  }

  private static double seconds(long millis) {
    return Bench.round(millis / 1000.0, 2);
  }
}
