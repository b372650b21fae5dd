package io.kieworker.tools.bench;

import io.kieworker.kie.KieClient;
import io.kieworker.kie.KieClientOptions;
import io.kieworker.kie.KieResult;
import io.kieworker.kie.TaskRecord;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The comparison for the polling scenario: creates tasks at the same pace as the worker's requests
 * arrive and reads each one every fixed interval until it is terminal. Runs on the simulator's
 * Vert.x instance; all state is confined to one event-loop context.
 */
final class BaselinePoller {
  record Outcome(double pollsPerTask, long p50, long p99) {}

  private final BenchSim sim;
  private final int n;
  private final Duration interval;
  private final Duration span;
  private final Duration timeout;
  private final List<Long> detections = new ArrayList<>();
  private final Promise<Void> done = Promise.promise();
  private KieClient kie;
  private long polls;
  private int created;

  BaselinePoller(BenchSim sim, int n, Duration interval, Duration span, Duration timeout) {
    this.sim = sim;
    this.n = n;
    this.interval = interval;
    this.span = span;
    this.timeout = timeout;
  }

  Outcome run() {
    sim.vertx.runOnContext(v -> start());
    try {
      Bench.await(done.future(), timeout, "the fixed-interval poller");
    } finally {
      sim.vertx.runOnContext(v -> kie.close());
    }
    long[] sorted = detections.stream().mapToLong(Long::longValue).sorted().toArray();
    return new Outcome(polls / (double) n, ResultCollector.percentile(sorted, 0.5),
        ResultCollector.percentile(sorted, 0.99));
  }

  private void start() {
    kie = new KieClient(sim.vertx, KieClientOptions.builder().apiKey(Bench.API_KEY).baseUrl(sim.baseUrl())
        .uploadBaseUrl(sim.baseUrl()).build());
    long step = Math.max(1, span.toMillis() / Math.max(1, n));
    sim.vertx.setPeriodic(step, id -> {
      if (created >= n) {
        sim.vertx.cancelTimer(id);
        return;
      }
      created++;
      kie.createTask(Bench.MODEL, new JsonObject().put("prompt", "a baseline banana"), null).onComplete(ar -> {
        if (ar.succeeded() && ar.result().isOk()) {
          follow(ar.result().value());
        } else {
          done.tryFail("baseline create failed: " + (ar.succeeded() ? ar.result() : ar.cause()));
        }
      });
    });
  }

  private void follow(String taskId) {
    sim.vertx.setTimer(interval.toMillis(), id -> kie.recordInfo(taskId).onComplete(ar -> {
      polls++;
      KieResult<TaskRecord> r = ar.succeeded() ? ar.result() : null;
      if (r != null && r.isOk() && r.value().state().terminal()) {
        Long completed = r.value().completeTime();
        detections.add(System.currentTimeMillis() - (completed == null ? System.currentTimeMillis() : completed));
        if (detections.size() == n) {
          done.tryComplete();
        }
      } else {
        follow(taskId);
      }
    }));
  }
}
