package io.kieworker.tools.bench;

import io.kieworker.config.ConfigLoader;
import io.kieworker.net.FreePorts;
import io.kieworker.sim.SimCounters;
import io.kieworker.sim.SimOptions;
import io.kieworker.worker.WorkerApp;
import io.vertx.core.json.JsonArray;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Scenario 5: what a callback costs when it reaches an instance that does not own the request. Two
 * workers share a group and a request topic of two partitions (one each), and Kie.ai is given
 * instance A's callback URL for every task, so A receives the callbacks of B's requests too and
 * passes them on through the ledger. Completion → result latency of A's own requests (callback at
 * the owner) against B's (callback at a non-owner), in one run; confirm mode, the default.
 */
final class ForwardingBench {
  static final String NAME = "forwarding";
  private static final int PARTITIONS = 2;
  private static final Duration LATENCY_MIN = Duration.ofMillis(500);
  private static final Duration LATENCY_MAX = Duration.ofMillis(1500);
  /** Requests per second: well under what two instances do, so queueing does not blur the hop. */
  private static final int ARRIVALS_PER_SECOND = 50;

  private final BenchOptions options;
  private final String bootstrap;
  private final BenchReport report;

  ForwardingBench(BenchOptions options, String bootstrap, BenchReport report) {
    this.options = options;
    this.bootstrap = bootstrap;
    this.report = report;
  }

  void run() {
    int n = options.requestsOr(BenchOptions.FORWARDING_REQUESTS);
    BenchTopics topics = BenchTopics.create(bootstrap, NAME, PARTITIONS);
    SimOptions simOptions = new SimOptions().latency(SimOptions.ANY_MODEL, LATENCY_MIN, LATENCY_MAX)
        .rateLimit(0, Duration.ofSeconds(10)).seed(7L);
    int portA = FreePorts.pick();
    int portB = FreePorts.pick(portA);
    try (BenchSim sim = new BenchSim(simOptions);
         ResultCollector results = new ResultCollector(bootstrap, topics.results(), PARTITIONS);
         RequestProducer producer = new RequestProducer(bootstrap, topics.requests())) {
      List<WorkerApp> apps = new ArrayList<>();
      try {
        WorkerApp a = start(topics, sim, portA, portA);
        apps.add(a);
        WorkerApp b = start(topics, sim, portB, portA);
        apps.add(b);
        Bench.require(Bench.waitUntil(() -> owned(a).size() == 1 && owned(b).size() == 1,
            Duration.ofSeconds(60), Duration.ofMillis(50)), "the two workers did not split the partitions within 60 s");
        int atOwner = owned(a).getInteger(0);
        int viaLedger = owned(b).getInteger(0);
        options.out().printf("   %d requests at %d/s, tasks of %s..%s; every callback to instance A (owns partition %d;"
            + " B owns %d)%n", n, ARRIVALS_PER_SECOND, Bench.millis(LATENCY_MIN), Bench.millis(LATENCY_MAX), atOwner,
            viaLedger);
        producer.sendPaced(n, Duration.ofMillis(n * 1000L / ARRIVALS_PER_SECOND), i -> "fwd-" + i,
            i -> Bench.request("fwd-" + i, ""));
        Bench.require(results.awaitCount(n, options.timeout()),
            "only " + results.count() + " of " + n + " results within " + options.timeout());
        report(results, sim.sim.counters(), n, atOwner, viaLedger);
      } finally {
        for (WorkerApp app : apps) {
          Bench.await(app.stop(), Duration.ofSeconds(60), "stopping a worker");
        }
      }
    }
  }

  private void report(ResultCollector results, SimCounters counters, int n, int atOwner, int viaLedger) {
    long[] owner = results.completionLatencies(atOwner);
    long[] forwarded = results.completionLatencies(viaLedger);
    long ownerP50 = ResultCollector.percentile(owner, 0.5);
    long forwardedP50 = ResultCollector.percentile(forwarded, 0.5);
    options.out().printf("   callback at the owner:     %d results, completion → result p50 %d ms p99 %d ms%n",
        owner.length, ownerP50, ResultCollector.percentile(owner, 0.99));
    options.out().printf("   callback at a non-owner:   %d results, completion → result p50 %d ms p99 %d ms%n",
        forwarded.length, forwardedP50, ResultCollector.percentile(forwarded, 0.99));
    options.out().printf("   %d SUCCEEDED, %d duplicates; %d callbacks delivered, %d status reads%n",
        results.status("SUCCEEDED"), results.duplicates(), counters.callbacksSucceeded(), counters.recordInfoPolls());
    report.figure(NAME, "owner_callback_latency_p50_ms", ownerP50);
    report.figure(NAME, "owner_callback_latency_p99_ms", ResultCollector.percentile(owner, 0.99));
    report.figure(NAME, "forwarded_callback_latency_p50_ms", forwardedP50);
    report.figure(NAME, "forwarded_callback_latency_p99_ms", ResultCollector.percentile(forwarded, 0.99));
    report.figure(NAME, "forwarding_extra_p50_ms", forwardedP50 - ownerP50);
    report.figure(NAME, "forwarding_polls_per_task", Bench.round(counters.recordInfoPolls() / (double) n, 3));
    report.figure(NAME, "forwarding_duplicates", results.duplicates());
  }

  /** A worker serving callbacks on {@code httpPort} that tells Kie.ai to call back {@code callbackPort}. */
  private WorkerApp start(BenchTopics topics, BenchSim sim, int httpPort, int callbackPort) {
    Map<String, String> env = new HashMap<>();
    env.put("HTTP_PORT", Integer.toString(httpPort));
    env.put("KIE_CALLBACK_BASE_URL", "http://127.0.0.1:" + callbackPort);
    env.put("WORKER_CALLBACK_TRUST", "confirm");
    env.put("WORKER_CREATE_RATE_LIMIT", "1000");
    env.put("WORKER_CREATE_RATE_WINDOW", "1s");
    env.put("WORKER_POLL_RATE", "1000");
    return Bench.await(WorkerApp.start(ConfigLoader.load(null, Bench.workerEnv(bootstrap, topics, sim.baseUrl(), env))),
        Bench.START_TIMEOUT, "starting a worker");
  }

  private static JsonArray owned(WorkerApp app) {
    return app.worker().health().toJson().getJsonArray("partitions");
  }
}
