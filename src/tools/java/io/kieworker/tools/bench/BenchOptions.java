package io.kieworker.tools.bench;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;

/**
 * What to run and how big.
 *
 * @param requests requests for throughput, pending, polling and forwarding, the queue scenario's backlog;
 *     null = each scenario's default
 * @param scale time compression of the polling scenario (0.05 = 10–90 s become 0.5–4.5 s)
 * @param rateLimit creates the simulator allows per {@code rateWindow} (ratelimit scenario)
 * @param rateDuration how long the ratelimit scenario measures, per instance count
 * @param rateSkew ratelimit: how the backlog's keys fall on the partitions ({@code spread},
 *     {@code one-partition}, {@code mixed}), or {@code all} of them in turn
 * @param probes short tasks sent while the pending scenario holds its tasks (each one timer check)
 * @param workerHeap -Xmx of the pending scenario's worker JVM
 * @param pollTargets polling: WORKER_POLL_TARGET_LATENCY values (real time) to run poll-only with, besides unset
 * @param warmup throughput: requests run unmeasured through the copy loop and the worker first (null = the default)
 */
public record BenchOptions(String scenario, Integer requests, double scale, int rateLimit, Duration rateWindow,
    Duration rateDuration, String rateSkew, int probes, String workerHeap, Duration timeout, PrintStream out,
    List<Duration> pollTargets, Integer warmup) {

  public static final int THROUGHPUT_REQUESTS = 50_000;
  public static final int THROUGHPUT_WARMUP = 30_000;
  public static final int PENDING_TASKS = 100_000;
  public static final int POLLING_REQUESTS = 1000;
  public static final int FORWARDING_REQUESTS = 1000;
  public static final int QUEUE_BACKLOG = 500;

  public BenchOptions {
    pollTargets = pollTargets == null ? List.of() : List.copyOf(pollTargets);
  }

  int warmupOr(int fallback) {
    return warmup == null ? fallback : warmup;
  }

  int requestsOr(int fallback) {
    return requests == null ? fallback : requests;
  }
}
