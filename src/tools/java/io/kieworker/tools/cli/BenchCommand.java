package io.kieworker.tools.cli;

import io.kieworker.cli.RunCommand;
import io.kieworker.logging.QuietLogs;
import io.kieworker.sim.SimDurations;
import io.kieworker.tools.bench.BenchOptions;
import io.kieworker.tools.bench.BenchReport;
import io.kieworker.tools.bench.BenchRun;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kie-worker bench}: the benchmark scenarios of docs/benchmarks.md on this machine. */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Runs benchmark scenarios on this machine: an embedded Kafka broker (KRaft),",
        "the Kie.ai simulator and the worker. Prints a table and, as the last line, one JSON",
        "object with the figures. See docs/benchmarks.md. Exit status: 0 when the scenarios",
        "ran (targets missed are marked MISS, not failures), 1 when a scenario could not",
        "finish, 2 on bad options."})
public final class BenchCommand implements Callable<Integer> {

  @Option(names = "--scenario", paramLabel = "NAME", defaultValue = "all",
      description = "throughput, pending, polling, ratelimit, forwarding, queue or all (default ${DEFAULT-VALUE}).")
  String scenario;

  @Option(names = "--requests", paramLabel = "N",
      description = "Requests for throughput (default " + BenchOptions.THROUGHPUT_REQUESTS + "), pending tasks "
          + "(default " + BenchOptions.PENDING_TASKS + ") or polling tasks (default "
          + BenchOptions.POLLING_REQUESTS + "), forwarding requests (default " + BenchOptions.FORWARDING_REQUESTS
          + ") or the queue scenario's large-tenant backlog (default " + BenchOptions.QUEUE_BACKLOG
          + "). The ratelimit backlog follows from --rate-duration.")
  Integer requests;

  @Option(names = "--warmup", paramLabel = "N",
      description = "throughput: requests copied by the plain loop and processed by a worker first, unmeasured, "
          + "so that both are measured JIT-compiled (default " + BenchOptions.THROUGHPUT_WARMUP + "; 0 = none).")
  Integer warmup;

  @Option(names = "--scale", defaultValue = "0.05",
      description = "Time compression of the polling scenario: latencies 10–90 s, the poll gap, the "
          + "expected duration, the budgets and the 5 s baseline are multiplied by it (default ${DEFAULT-VALUE}).")
  double scale;

  @Option(names = "--rate-limit", paramLabel = "N", defaultValue = "20",
      description = "ratelimit: creates the simulator allows per window (default ${DEFAULT-VALUE}).")
  int rateLimit;

  @Option(names = "--rate-window", paramLabel = "DURATION", defaultValue = "10s",
      description = "ratelimit: the sliding window (default ${DEFAULT-VALUE}).")
  String rateWindow;

  @Option(names = "--rate-duration", paramLabel = "DURATION", defaultValue = "60s",
      description = "ratelimit: measuring time per instance count, after a one-window warm-up (default ${DEFAULT-VALUE}).")
  String rateDuration;

  @Option(names = "--skew", paramLabel = "SKEW", defaultValue = "all",
      description = "ratelimit: the backlog's keys: spread (one each), one-partition (all under one key), "
          + "mixed (half under one key, half spread) or all three in turn (default ${DEFAULT-VALUE}).")
  String skew;

  @Option(names = "--probes", paramLabel = "N", defaultValue = "2000",
      description = "pending: short tasks completed by callback while the others wait (default ${DEFAULT-VALUE}).")
  int probes;

  @Option(names = "--worker-heap", paramLabel = "SIZE", defaultValue = "1g",
      description = "pending: -Xmx of the worker's JVM (default ${DEFAULT-VALUE}).")
  String workerHeap;

  @Option(names = "--poll-targets", paramLabel = "DURATION", split = ",",
      description = "polling: also run poll-only with WORKER_POLL_TARGET_LATENCY at each of these real-time "
          + "latencies (e.g. 1s,2s,5s; scaled like the rest) for the target → reads → latency table.")
  List<String> pollTargets = List.of();

  @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "10m",
      description = "Bound on each wait for results (default ${DEFAULT-VALUE}).")
  String timeout;

  @Option(names = "--verbose", description = "Also show the worker's and Kafka's INFO logs.")
  boolean verbose;

  @Override
  public Integer call() {
    BenchOptions options;
    PrintStream out = System.out;
    try {
      if (!"all".equals(scenario) && !BenchRun.SCENARIOS.contains(scenario)) {
        throw new IllegalArgumentException("unknown scenario '" + scenario + "'; one of " + BenchRun.SCENARIOS + " or all");
      }
      if (!(scale > 0 && scale <= 1)) {
        throw new IllegalArgumentException("--scale must be in (0, 1]: " + scale);
      }
      if (!"all".equals(skew) && !io.kieworker.tools.bench.BenchRun.RATE_SKEWS.contains(skew)) {
        throw new IllegalArgumentException("unknown skew '" + skew + "'; one of "
            + io.kieworker.tools.bench.BenchRun.RATE_SKEWS + " or all");
      }
      if (warmup != null && warmup < 0) {
        throw new IllegalArgumentException("--warmup must be 0 or more");
      }
      if (requests != null && requests < 2) {
        throw new IllegalArgumentException("--requests must be at least 2");
      }
      options = new BenchOptions(scenario, requests, scale, rateLimit, positive(rateWindow, "--rate-window"),
          positive(rateDuration, "--rate-duration"), skew, Math.max(1, probes), workerHeap,
          positive(timeout, "--timeout"), out, pollTargets.stream().map(t -> positive(t, "--poll-targets")).toList(),
          warmup);
    } catch (IllegalArgumentException e) {
      System.err.println("bench: " + e.getMessage());
      return 2;
    }
    if (!verbose) {
      QuietLogs.apply();
    }
    out.printf("kie-worker bench: %s on %d cores, Java %s%n", scenario, Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"));
    try {
      BenchReport report = BenchRun.run(options);
      report.print(out);
      return 0;
    } catch (RuntimeException e) {
      out.println();
      out.println("BENCH FAILED: " + RunCommand.rootMessage(e));
      return 1;
    }
  }

  private static Duration positive(String text, String option) {
    Duration d = SimDurations.parse(text);
    if (d.isZero() || d.isNegative()) {
      throw new IllegalArgumentException(option + " must be positive: " + text);
    }
    return d;
  }
}
