package io.kieworker.tools.bench;

import io.kieworker.config.ConfigLoader;
import io.kieworker.sim.SimOptions;
import io.kieworker.worker.WorkerApp;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Scenario 3: status reads per completed task under a realistic latency spread (10–90 s, uniform),
 * compressed in time by {@code scale}: the simulated latencies, the worker's minimum poll gap and
 * expected duration, its poll and create budgets and the arrival pace are all scaled alike. Runs the
 * worker poll-only (the full read budget: ~6 reads per task; then one allowing 2; then each
 * {@code --poll-targets} latency), with callbacks trusted by token, and with callbacks confirmed by
 * one read; then, in the same run, a fixed 5 s poller against the same simulator for comparison.
 */
final class PollingBench {
  static final String NAME = "polling";
  private static final int PARTITIONS = 3;
  static final Duration LATENCY_MIN = Duration.ofSeconds(10);
  static final Duration LATENCY_MAX = Duration.ofSeconds(90);
  /** google/nano-banana's expected duration in the model registry, before anything is learned. */
  private static final Duration EXPECTED = Duration.ofSeconds(15);
  static final Duration BASELINE_INTERVAL = Duration.ofSeconds(5);
  /** Requests arrive at 80 % of Kie.ai's create limit (20 per 10 s), compressed like the rest. */
  private static final double ARRIVALS_PER_REAL_SECOND = 1.6;
  /** The short-budget case: a read rate allowing this many reads per task on average. */
  private static final double SHORT_BUDGET_READS = 2;

  private final BenchOptions options;
  private final String bootstrap;
  private final BenchReport report;
  private final double scale;

  PollingBench(BenchOptions options, String bootstrap, BenchReport report) {
    this.options = options;
    this.bootstrap = bootstrap;
    this.report = report;
    this.scale = options.scale();
  }

  void run() {
    int n = options.requestsOr(BenchOptions.POLLING_REQUESTS);
    options.out().printf("   %d tasks, latency %s..%s scaled ×%s to %s..%s; arrivals over %.1fs; figures below in "
        + "real seconds (compressed ÷ %s)%n", n, LATENCY_MIN.toSeconds() + "s", LATENCY_MAX.toSeconds() + "s", scale,
        Bench.millis(scaled(LATENCY_MIN)), Bench.millis(scaled(LATENCY_MAX)), arrivalSpan(n).toMillis() / 1000.0,
        scale);
    Outcome pollOnly = workerRun("poll-only", n, Map.of());
    Outcome short2 = workerRun("poll-only, 2 reads/task", n,
        Map.of("WORKER_POLL_RATE", Double.toString(SHORT_BUDGET_READS * ARRIVALS_PER_REAL_SECOND / scale)));
    Map<Duration, Outcome> targeted = new LinkedHashMap<>();
    for (Duration target : options.pollTargets()) {
      targeted.put(target, workerRun("poll-only, target " + target.toMillis() + "ms", n,
          Map.of("WORKER_POLL_TARGET_LATENCY", Bench.millis(scaled(target)))));
    }
    Outcome token = workerRun("callbacks (token)", n, Bench.callbacks("token"));
    Outcome confirm = workerRun("callbacks (confirm)", n, Bench.callbacks("confirm"));
    Outcome baseline = baselineRun(n);
    report.figure(NAME, "tasks", n);
    report.figure(NAME, "scale", scale);
    report.figure(NAME, "polls_per_task", Bench.round(pollOnly.pollsPerTask, 3));
    report.figure(NAME, "baseline_polls_per_task", Bench.round(baseline.pollsPerTask, 3));
    report.atMost(NAME, "poll_only_p50_ratio", ratio(pollOnly.p50, baseline.p50), 1.0);
    report.atMost(NAME, "poll_only_p99_ratio", ratio(pollOnly.p99, baseline.p99), 1.5);
    report.atMost(NAME, "poll_only_reads_ratio", Bench.round(pollOnly.pollsPerTask / baseline.pollsPerTask, 3), 0.5);
    report.figure(NAME, "poll_latency_p50_ms", pollOnly.p50);
    report.figure(NAME, "poll_latency_p99_ms", pollOnly.p99);
    report.figure(NAME, "baseline_latency_p50_ms", baseline.p50);
    report.figure(NAME, "baseline_latency_p99_ms", baseline.p99);
    report.figure(NAME, "short_budget_polls_per_task", Bench.round(short2.pollsPerTask, 3));
    report.figure(NAME, "short_budget_latency_p50_ms", short2.p50);
    report.figure(NAME, "short_budget_latency_p99_ms", short2.p99);
    targeted.forEach((target, o) -> {
      String key = "target_" + target.toMillis() + "ms_";
      report.figure(NAME, key + "polls_per_task", Bench.round(o.pollsPerTask, 3));
      report.figure(NAME, key + "latency_p50_ms", o.p50);
      report.figure(NAME, key + "latency_p99_ms", o.p99);
    });
    report.atMost(NAME, "callback_polls_per_task", Bench.round(token.pollsPerTask, 3), 0.1);
    report.atMost(NAME, "confirm_polls_per_task", Bench.round(confirm.pollsPerTask, 3), 1.0);
    report.figure(NAME, "callback_latency_p50_ms", token.p50);
    report.figure(NAME, "callback_latency_p99_ms", token.p99);
    report.note("polling latencies (*_ms) are in compressed time: divide by the scale (" + scale + ") for real time");
  }

  private record Outcome(double pollsPerTask, long p50, long p99) {}

  private static double ratio(long ours, long baseline) {
    return Bench.round(ours / (double) Math.max(1, baseline), 3);
  }

  private Outcome workerRun(String mode, int n, Map<String, String> overrides) {
    BenchTopics topics = BenchTopics.create(bootstrap, NAME, PARTITIONS);
    try (BenchSim sim = new BenchSim(simOptions());
         ResultCollector results = new ResultCollector(bootstrap, topics.results(), PARTITIONS);
         RequestProducer producer = new RequestProducer(bootstrap, topics.requests())) {
      Map<String, String> env = new HashMap<>();
      env.put("WORKER_POLL_MIN_GAP", Bench.millis(scaled(Duration.ofSeconds(1))));
      env.put("WORKER_EXPECTED_DURATION", Bench.millis(scaled(EXPECTED)));
      env.put("WORKER_POLL_RATE", Double.toString(10 / scale));
      env.put("WORKER_CREATE_RATE_LIMIT", "20");
      env.put("WORKER_CREATE_RATE_WINDOW", Bench.millis(scaled(Duration.ofSeconds(10))));
      env.putAll(overrides);
      WorkerApp app = Bench.await(WorkerApp.start(ConfigLoader.load(null, Bench.workerEnv(bootstrap, topics,
          sim.baseUrl(), env))), Bench.START_TIMEOUT, "starting the worker");
      try {
        producer.sendPaced(n, arrivalSpan(n), i -> "poll-" + i, i -> Bench.request("poll-" + i, ""));
        Bench.require(results.awaitCount(n, options.timeout()),
            mode + ": only " + results.count() + " of " + n + " results within " + options.timeout());
        long polls = sim.sim.counters().recordInfoPolls();
        long[] latencies = results.completionLatencies();
        Outcome o = new Outcome(polls / (double) n, ResultCollector.percentile(latencies, 0.5),
            ResultCollector.percentile(latencies, 0.99));
        print("worker " + mode, o, String.format(" (%d SUCCEEDED, %d duplicates)", results.status("SUCCEEDED"),
            results.duplicates()));
        return o;
      } finally {
        Bench.await(app.stop(), Duration.ofSeconds(60), "stopping the worker");
      }
    }
  }

  private Outcome baselineRun(int n) {
    try (BenchSim sim = new BenchSim(simOptions())) {
      BaselinePoller.Outcome b =
          new BaselinePoller(sim, n, scaled(BASELINE_INTERVAL), arrivalSpan(n), options.timeout()).run();
      Outcome o = new Outcome(b.pollsPerTask(), b.p50(), b.p99());
      print("fixed " + BASELINE_INTERVAL.toSeconds() + "s poller", o, "");
      return o;
    }
  }

  /** One line: reads per task and completion → result in real seconds. */
  private void print(String who, Outcome o, String tail) {
    options.out().printf("   %-36s %6.2f reads per task, completion → result p50 %6.2fs p99 %6.2fs%s%n", who + ":",
        o.pollsPerTask, real(o.p50), real(o.p99), tail);
  }

  private double real(long compressedMillis) {
    return compressedMillis / scale / 1000.0;
  }

  private SimOptions simOptions() {
    return new SimOptions().webhookHmacKey(Bench.WEBHOOK_HMAC_KEY)
        .latency(SimOptions.ANY_MODEL, scaled(LATENCY_MIN), scaled(LATENCY_MAX))
        .rateLimit(0, Duration.ofSeconds(10)).seed(42L).callbackRetryDelay(scaled(Duration.ofSeconds(1)));
  }

  private Duration arrivalSpan(int n) {
    return scaled(Duration.ofMillis((long) (n / ARRIVALS_PER_REAL_SECOND * 1000)));
  }

  private Duration scaled(Duration d) {
    return Duration.ofMillis(Math.max(1, Math.round(d.toMillis() * scale)));
  }
}
