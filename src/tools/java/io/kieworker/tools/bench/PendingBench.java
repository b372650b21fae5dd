package io.kieworker.tools.bench;

import io.kieworker.sim.SimCounters;
import io.kieworker.sim.SimOptions;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Scenario 2: {@code requests} (default 100,000) tasks pending at once in one worker. The worker runs
 * in a child JVM ({@link PendingWorkerMain}) so its heap after GC is its own; the broker, the
 * simulator (which keeps every task and one callback timer per task) and the producer stay here.
 * Callbacks are on, confirmed by one read: the long tasks are due no poll for the whole run (the
 * safety-net poll comes at 3 × the expected duration, 1 h), while a stream of short probe tasks
 * completes by callback, and each callback's confirming read goes through the same due-time queue
 * that holds the 100,000 tasks: its lateness is the worker's kie_worker_poll_lateness.
 */
final class PendingBench {
  static final String NAME = "pending";
  private static final int PARTITIONS = 3;
  private static final Duration STEP = Duration.ofMinutes(10);

  private final BenchOptions options;
  private final String bootstrap;
  private final BenchReport report;
  private final LinkedBlockingQueue<String> childLines = new LinkedBlockingQueue<>();

  PendingBench(BenchOptions options, String bootstrap, BenchReport report) {
    this.options = options;
    this.bootstrap = bootstrap;
    this.report = report;
  }

  void run() {
    int n = options.requestsOr(BenchOptions.PENDING_TASKS);
    int probes = options.probes();
    BenchTopics topics = BenchTopics.create(bootstrap, NAME, PARTITIONS);
    SimOptions simOptions = new SimOptions().rateLimit(0, Duration.ofSeconds(10))
        .latency(SimOptions.ANY_MODEL, Duration.ofMillis(200), Duration.ofMillis(800));
    try (BenchSim sim = new BenchSim(simOptions);
         ResultCollector results = new ResultCollector(bootstrap, topics.results(), PARTITIONS);
         RequestProducer producer = new RequestProducer(bootstrap, topics.requests())) {
      Process child = startChild(topics, sim.baseUrl(), n);
      try (Writer toChild = new OutputStreamWriter(child.getOutputStream(), StandardCharsets.UTF_8)) {
        expect("started", Bench.START_TIMEOUT);
        long t = System.nanoTime();
        for (int i = 0; i < n; i++) {
          producer.send("pend-" + i, Bench.request("pend-" + i, "[sim:latency=3h]"));
        }
        producer.flush();
        SimCounters c = sim.sim.counters();
        Bench.require(Bench.waitUntil(() -> c.createsAccepted() >= n, STEP, Duration.ofMillis(200)),
            "only " + c.createsAccepted() + " of " + n + " tasks created within " + STEP);
        double createSeconds = (System.nanoTime() - t) / 1e9;
        options.out().printf("   %d tasks created in %.1fs (%.0f/s)%n", n, createSeconds, n / createSeconds);
        producer.sendPaced(probes, Duration.ofMillis(probes * 10L), i -> "probe-" + i,
            i -> Bench.request("probe-" + i, ""));
        Bench.require(results.awaitCount(probes, Duration.ofMinutes(2)),
            "only " + results.count() + " of " + probes + " probe results");
        send(toChild, "measure");
        JsonObject measured = new JsonObject(expect("measured ", STEP));
        options.out().printf("   worker JVM: %s%n", measured.encode());
        JsonObject restored = new JsonObject(expect("restored ", STEP));
        options.out().printf("   after restart: %s%n", restored.encode());
        Bench.require(restored.getBoolean("restored"), "the restarted worker did not restore every task");
        report.figure(NAME, "pending_tasks", measured.getInteger("pending"));
        report.atMost(NAME, "heap_mb", Bench.round(measured.getDouble("heap_mb"), 1), 512);
        report.figure(NAME, "timer_lateness_p99_ms", Bench.round(measured.getDouble("lateness_p99_ms", -1.0), 1));
        report.figure(NAME, "timer_lateness_p50_ms", Bench.round(measured.getDouble("lateness_p50_ms", -1.0), 1));
        report.figure(NAME, "lateness_samples", measured.getLong("lateness_count", 0L));
        report.figure(NAME, "restore_s", Bench.round(restored.getDouble("restore_s"), 2));
        report.figure(NAME, "create_per_s", Bench.round(n / createSeconds, 1));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } finally {
        stopChild(child);
      }
    }
  }

  private Process startChild(BenchTopics topics, String simUrl, int n) {
    Map<String, String> env = new HashMap<>(Bench.callbacks("confirm"));
    env.put("WORKER_MAX_PENDING", Integer.toString(Math.max(10_000, 2 * n)));
    env.put("WORKER_CREATE_RATE_LIMIT", "1000000");
    env.put("WORKER_CREATE_RATE_WINDOW", "1s");
    env.put("WORKER_MAX_INFLIGHT_CREATES", "64");
    env.put("WORKER_POLL_RATE", "1000");
    env.put("WORKER_POLL_MIN_GAP", "100ms");
    env.put("WORKER_EXPECTED_DURATION", "20m");
    env.put("WORKER_DEADLINE", "6h");
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx" + options.workerHeap(), "-XX:+UseG1GC", "-cp", System.getProperty("java.class.path"),
        PendingWorkerMain.class.getName(), Integer.toString(n)));
    ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
    pb.environment().putAll(Bench.workerEnv(bootstrap, topics, simUrl, env));
    try {
      Process child = pb.start();
      Thread reader = new Thread(() -> readLines(child), "bench-child-stdout");
      reader.setDaemon(true);
      reader.start();
      return child;
    } catch (IOException e) {
      throw new UncheckedIOException("could not start the worker JVM", e);
    }
  }

  /** Protocol lines go to the queue; anything else the child prints (its logs) is passed through. */
  private void readLines(Process child) {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        if (line.startsWith(PendingWorkerMain.PREFIX)) {
          childLines.add(line.substring(PendingWorkerMain.PREFIX.length()));
        } else {
          options.out().println("   [worker] " + line);
        }
      }
    } catch (IOException e) {
      // the child is gone; expect() reports the missing line
    }
  }

  private String expect(String prefix, Duration timeout) {
    try {
      String line = childLines.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
      Bench.require(line != null && line.startsWith(prefix),
          "worker JVM: expected '" + prefix.trim() + "', got " + (line == null ? "nothing within " + timeout : "'" + line + "'"));
      return line.substring(prefix.length());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static void send(Writer w, String line) throws IOException {
    w.write(line + "\n");
    w.flush();
  }

  private static void stopChild(Process child) {
    try {
      if (!child.waitFor(30, TimeUnit.SECONDS)) {
        child.destroy();
        if (!child.waitFor(10, TimeUnit.SECONDS)) {
          child.destroyForcibly();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      child.destroyForcibly();
    }
  }
}
