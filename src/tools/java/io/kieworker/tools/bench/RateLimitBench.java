package io.kieworker.tools.bench;

import io.kieworker.config.ConfigLoader;
import io.kieworker.config.WorkerConfig;
import io.kieworker.sim.SimCounters;
import io.kieworker.sim.SimOptions;
import io.kieworker.worker.WorkerApp;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Scenario 4: the simulator enforces the account's create limit (20 per 10 s by default) and a
 * backlog waits; how close do one instance, then three instances sharing the account, get to the
 * limit without being answered 429 — with the backlog's keys spread over the partitions, all under
 * one key (one partition, so one instance holds it all), and mixed (half under one key, half
 * spread)? The workers start first and settle (each owns its partitions, each sees the others'
 * demand reports); then the backlog is produced. The first window after the first create is warm-up
 * (the burst a fresh sliding window allows, shares moving to where the demand is); the rate is
 * measured over the following {@code rateDuration}; 429s are counted over warm-up and measurement
 * together.
 */
final class RateLimitBench {
  static final String NAME = "ratelimit";
  static final List<String> SKEWS = List.of("spread", "one-partition", "mixed");
  private static final int PARTITIONS = 6;

  private final BenchOptions options;
  private final String bootstrap;
  private final BenchReport report;

  RateLimitBench(BenchOptions options, String bootstrap, BenchReport report) {
    this.options = options;
    this.bootstrap = bootstrap;
    this.report = report;
  }

  void run() {
    options.out().printf("   simulator limit %d creates / %s, measured %s after a one-window warm-up%n",
        options.rateLimit(), Bench.millis(options.rateWindow()), Bench.millis(options.rateDuration()));
    report.figure(NAME, "limit_per_s", Bench.round(limitPerSecond(), 3));
    for (String skew : SKEWS) {
      if (!"all".equals(options.rateSkew()) && !skew.equals(options.rateSkew())) {
        continue;
      }
      // The spread figures keep their original keys (create_rate_ratio, ..._3x); the others add the skew.
      String suffix = skew.equals("spread") ? "" : "_" + skew.replace('-', '_');
      Outcome one = measure(1, skew);
      Outcome three = measure(3, skew);
      report.atLeast(NAME, "create_rate_ratio" + suffix, Bench.round(one.ratio, 3), 0.95);
      report.atMost(NAME, "rate_limited_share" + suffix, Bench.round(one.share, 4), 0.01);
      report.atLeast(NAME, "create_rate_ratio" + suffix + "_3x", Bench.round(three.ratio, 3), 0.95);
      report.atMost(NAME, "rate_limited_share" + suffix + "_3x", Bench.round(three.share, 4), 0.01);
    }
  }

  private record Outcome(double ratio, double share) {}

  private Outcome measure(int instances, String skew) {
    BenchTopics topics = BenchTopics.create(bootstrap, NAME, PARTITIONS);
    long window = options.rateWindow().toMillis();
    int backlog = (int) Math.ceil(limitPerSecond() * (options.rateDuration().toMillis() + 3 * window) / 1000.0 * 1.5) + 50;
    SimOptions simOptions = new SimOptions().rateLimit(options.rateLimit(), options.rateWindow())
        .latency(SimOptions.ANY_MODEL, Duration.ofMillis(200), Duration.ofMillis(500));
    try (BenchSim sim = new BenchSim(simOptions);
         RequestProducer producer = new RequestProducer(bootstrap, topics.requests())) {
      WorkerConfig config = ConfigLoader.load(null, Bench.workerEnv(bootstrap, topics, sim.baseUrl(), Map.of(
          "WORKER_CREATE_RATE_LIMIT", Integer.toString(options.rateLimit()),
          "WORKER_CREATE_RATE_WINDOW", Bench.millis(options.rateWindow()),
          "WORKER_EXPECTED_DURATION", "300ms", "WORKER_POLL_MIN_GAP", "100ms", "WORKER_POLL_RATE", "100")));
      List<Future<WorkerApp>> starting = new ArrayList<>();
      for (int i = 0; i < instances; i++) {
        starting.add(WorkerApp.start(config));
      }
      List<WorkerApp> apps = new ArrayList<>();
      try {
        for (Future<WorkerApp> f : starting) {
          apps.add(Bench.await(f, Bench.START_TIMEOUT, "starting a worker"));
        }
        Bench.require(Bench.waitUntil(() -> settled(apps), Duration.ofSeconds(90), Duration.ofMillis(50)),
            "the " + instances + " workers did not settle (partitions and demand reports) within 90 s");
        for (int i = 0; i < backlog; i++) {
          producer.send(key(skew, i), Bench.request("rl-" + i, ""));
        }
        producer.flush();
        SimCounters c = sim.sim.counters();
        Bench.require(Bench.waitUntil(() -> c.createsAccepted() > 0, Duration.ofSeconds(60), Duration.ofMillis(5)),
            "no create reached the simulator within 60 s");
        sleep(options.rateWindow());
        long[] measuredFrom = snapshot(c);
        long t1 = System.nanoTime();
        sleep(options.rateDuration());
        long[] end = snapshot(c);
        double seconds = (System.nanoTime() - t1) / 1e9;
        double rate = (end[0] - measuredFrom[0]) / seconds;
        long attempts = end[1];
        long refused = end[2];
        Outcome o = new Outcome(rate / limitPerSecond(), attempts == 0 ? 0 : refused / (double) attempts);
        options.out().printf("   %-13s %d instance(s): %.3f creates/s accepted (limit %.3f/s), %d create calls, "
            + "%d answered 429%n", skew, instances, rate, limitPerSecond(), attempts, refused);
        return o;
      } finally {
        for (WorkerApp app : apps) {
          Bench.await(app.stop(), Duration.ofSeconds(60), "stopping a worker");
        }
      }
    }
  }

  /** one-partition: every request under one key; mixed: every other one; spread: a key each. */
  private static String key(String skew, int i) {
    boolean hot = switch (skew) {
      case "one-partition" -> true;
      case "mixed" -> i % 2 == 0;
      default -> false;
    };
    return hot ? "rl-hot" : "rl-" + i;
  }

  /** Every partition owned by someone, and every instance's view of the group's demand live with all of them. */
  private static boolean settled(List<WorkerApp> apps) {
    int owned = 0;
    for (WorkerApp app : apps) {
      owned += app.worker().health().toJson().getJsonArray("partitions").size();
      var live = app.registry().find("kie_worker.demand.live").gauge();
      var seen = app.registry().find("kie_worker.demand.instances").gauge();
      if (live == null || live.value() != 1 || seen == null || seen.value() != apps.size()) {
        return false;
      }
    }
    return owned == PARTITIONS && apps.stream()
        .allMatch(a -> a.worker().health().toJson().getJsonArray("partitions").size() > 0);
  }

  /** accepted, create calls, 429s. */
  private static long[] snapshot(SimCounters c) {
    return new long[] {c.createsAccepted(), c.createRequests(), c.rateLimited()};
  }

  private double limitPerSecond() {
    return options.rateLimit() * 1000.0 / options.rateWindow().toMillis();
  }

  private static void sleep(Duration d) {
    Bench.waitUntil(() -> false, d, d);
  }
}
