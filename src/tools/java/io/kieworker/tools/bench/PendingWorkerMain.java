package io.kieworker.tools.bench;

import io.kieworker.logging.QuietLogs;
import io.kieworker.config.ConfigLoader;
import io.kieworker.config.WorkerConfig;
import io.kieworker.worker.WorkerApp;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ConcurrentModificationException;
import java.util.concurrent.TimeUnit;

/**
 * The pending scenario's worker, alone in its own JVM so that its heap is what gets measured (the
 * broker, the simulator holding 100,000 tasks and the bench's producer stay in the parent). Driven
 * by the parent over stdin/stdout, one line each: it prints {@code BENCH started}; on {@code measure}
 * it collects garbage and prints {@code BENCH measured {json}}; then it stops the worker, starts a new
 * one on the same ledger, prints {@code BENCH restored {json}} once all {@code expected} tasks are
 * pending again, and exits. Configuration comes from the environment, like {@code run}.
 */
public final class PendingWorkerMain {
  static final String PREFIX = "BENCH ";

  private PendingWorkerMain() {}

  public static void main(String[] args) throws Exception {
    QuietLogs.apply();
    int expected = Integer.parseInt(args[0]);
    WorkerConfig config = ConfigLoader.load(null, System.getenv());
    WorkerApp app = Bench.await(WorkerApp.start(config), Bench.START_TIMEOUT, "starting the worker");
    say("started");
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null && !line.equals("measure")) {
      if (line.equals("pending")) {
        say("pending " + pending(app));
      }
    }
    say("measured " + measure(app).encode());
    long stop = System.nanoTime();
    Bench.await(app.stop(), Duration.ofSeconds(120), "stopping the worker");
    double stopSeconds = (System.nanoTime() - stop) / 1e9;
    long begin = System.nanoTime();
    WorkerApp again = Bench.await(WorkerApp.start(config), Bench.START_TIMEOUT, "restarting the worker");
    boolean restored = Bench.waitUntil(() -> pending(again) >= expected, Duration.ofMinutes(10), Duration.ofMillis(50));
    double seconds = (System.nanoTime() - begin) / 1e9;
    say("restored " + new JsonObject().put("restored", restored).put("restore_s", seconds)
        .put("pending", pending(again)).put("stop_s", stopSeconds).put("heap_mb_after_restore", heapAfterGc()).encode());
    Bench.await(again.stop(), Duration.ofSeconds(120), "stopping the worker");
    System.exit(0);
  }

  private static JsonObject measure(WorkerApp app) {
    JsonObject json = new JsonObject().put("pending", pending(app)).put("heap_mb", heapAfterGc());
    Timer lateness = app.registry().find("kie_worker.poll.lateness").timer();
    if (lateness != null) {
      json.put("lateness_count", lateness.count()).put("lateness_max_ms", lateness.max(TimeUnit.MILLISECONDS));
      for (ValueAtPercentile v : lateness.takeSnapshot().percentileValues()) {
        json.put("lateness_p" + Math.round(v.percentile() * 100) + "_ms", v.value(TimeUnit.MILLISECONDS));
      }
    }
    return json;
  }

  /** Heap in use after a full collection, in MB. */
  static double heapAfterGc() {
    var memory = ManagementFactory.getMemoryMXBean();
    memory.gc();
    memory.gc();
    return memory.getHeapMemoryUsage().getUsed() / (1024.0 * 1024.0);
  }

  /** The worker's maps belong to its event loop; a read from here may race and is simply retried. */
  private static int pending(WorkerApp app) {
    for (int attempt = 0; ; attempt++) {
      try {
        return app.worker().pendingCount();
      } catch (ConcurrentModificationException e) {
        if (attempt > 100) {
          throw e;
        }
      }
    }
  }

  private static void say(String line) {
    System.out.println(PREFIX + line);
    System.out.flush();
  }
}
