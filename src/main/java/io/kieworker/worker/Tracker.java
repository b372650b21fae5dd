package io.kieworker.worker;

import io.kieworker.config.WorkerConfig;
import io.kieworker.kie.ErrorClass;
import io.kieworker.kie.KieClient;
import io.kieworker.kie.KieResult;
import io.kieworker.kie.TaskRecord;
import io.kieworker.kie.TaskState;
import io.kieworker.metrics.WorkerMetrics;
import io.kieworker.model.ModelRegistry;
import io.kieworker.model.ModelSpec;
import io.kieworker.request.Endpoint;
import io.kieworker.tracking.CompletionTimes;
import io.kieworker.tracking.PhaseTimes;
import io.kieworker.tracking.PollBudget;
import io.kieworker.tracking.PollPlan;
import io.kieworker.tracking.PollScheduler;
import io.kieworker.tracking.ReadPrice;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows submitted tasks to a terminal state: adaptive polls under the key's poll budget, an
 * immediate confirming poll when a callback arrives, the deadline, and resubmission of tasks that
 * Kie.ai failed with a 5xx code.
 *
 * <p>Event-loop confined (the worker's context).
 */
final class Tracker {
  private static final Logger LOG = LoggerFactory.getLogger(Tracker.class);
  private static final Duration DEFAULT_EXPECTED = Duration.ofSeconds(30);
  private static final int NOT_FOUND_LIMIT = 3;

  private final TaskOwnership ownership;
  private final TaskOutcomes outcomes;
  private final IntakeGate gate;
  private final KieClient kie;
  private final ModelRegistry registry;
  private final WorkerMetrics metrics;
  private final WorkerConfig config;
  private final CompletionTimes times = new CompletionTimes();
  private final PhaseTimes phases = new PhaseTimes();
  private final ReadPrice price;
  private final PollPlan plan;
  private final PollScheduler<PendingTask> scheduler;
  private final PollBudget budget;
  private boolean stopped;

  Tracker(TaskOwnership ownership, TaskOutcomes outcomes, IntakeGate gate, Vertx vertx, KieClient kie, ModelRegistry registry, WorkerMetrics metrics,
      WorkerConfig config) {
    this.ownership = ownership;
    this.outcomes = outcomes;
    this.gate = gate;
    this.kie = kie;
    this.registry = registry;
    this.metrics = metrics;
    this.config = config;
    long now = System.currentTimeMillis();
    this.price = new ReadPrice(config.worker().pollMinGap().toMillis(), config.worker().pollRate(), now);
    this.plan = new PollPlan(times, phases, price, config.worker().pollMinGap(), Duration.ofSeconds(30),
        config.worker().pollTargetLatency(), config.kie().callbacksEnabled(),
        () -> ThreadLocalRandom.current().nextDouble());
    this.budget = new PollBudget(config.worker().pollRate(), now);
    metrics.gauge("kie_worker.poll.price", "Poll-only: the expected delay (ms) a status read must save to be spent; "
        + "0 while reads are to spare, rising while this instance's share of WORKER_POLL_RATE runs short",
        price::current);
    this.scheduler = new PollScheduler<>(vertx, budget, price,
        System::currentTimeMillis, task -> task.pollGeneration, this::poll, metrics::pollLateness);
  }

  CompletionTimes completionTimes() {
    return times;
  }

  /**
   * This instance's share of the key's status-read budget, proportional to the partitions it owns
   * (at least one read every two seconds, so restored tasks are never starved).
   */
  void partitions(int owned, int total) {
    double share = total <= 0 ? config.worker().pollRate() : config.worker().pollRate() * owned / total;
    budget.rate(Math.max(0.5, share), System.currentTimeMillis());
    price.rate(Math.max(0.5, share));
  }

  /** Starts following a task whose id is known. */
  void track(PendingTask task, boolean restored) {
    task.tracked();
    scheduleNext(task);
  }

  /** A callback arrived: confirm with Kie.ai now instead of waiting for the plan. */
  void pollNow(PendingTask task) {
    if (task.phase() != PendingTask.Phase.TRACKED) {
      return;
    }
    task.pollGeneration++;
    scheduler.schedule(task, task.pollGeneration, System.currentTimeMillis());
  }

  /**
   * A trusted callback reported a terminal state: handled as if a poll had read it, except a
   * failure that would be resubmitted. Kie.ai's signature covers the task id and time, not the
   * body, so a body alone never starts a paid create: a status read must confirm the failure.
   */
  void complete(PendingTask task, TaskRecord record) {
    if (task.phase() != PendingTask.Phase.TRACKED) {
      return;
    }
    if (wouldResubmit(task, record)) {
      metrics.callback("confirming", "fail-5xx");
      pollNow(task);
      return;
    }
    task.pollGeneration++;
    metrics.callback("trusted", record.state().name().toLowerCase());
    onRecord(task, KieResult.ok(record));
  }

  void untrack(PendingTask task) {
    task.pollGeneration++;
  }

  void stopAll() {
    stopped = true;
  }

  private void scheduleNext(PendingTask task) {
    long now = System.currentTimeMillis();
    long elapsed = task.submittedAt == null ? 0 : PollPlan.elapsed(now, task.submittedAt.toEpochMilli(), task.seen);
    long due = now + plan.nextDelay(task.model, elapsed, expected(task.model), task.polls, task.seen, now);
    task.pollGeneration++;
    scheduler.schedule(task, task.pollGeneration, Math.min(due, Math.max(now, task.deadlineAt)));
  }

  private void poll(PendingTask task) {
    if (stopped || !ownership.owns(task) || task.phase() != PendingTask.Phase.TRACKED) {
      return;
    }
    task.polls++;
    long generation = task.pollGeneration;
    Future<KieResult<TaskRecord>> read =
        task.endpoint == Endpoint.LEGACY ? kie.legacyRecordInfo(task.taskId) : kie.recordInfo(task.taskId);
    read.onComplete(ar -> {
      if (!ownership.owns(task) || task.phase() != PendingTask.Phase.TRACKED || generation != task.pollGeneration) {
        return; // finished, moved or re-polled meanwhile
      }
      onRecord(task, ar.result());
    });
  }

  private void onRecord(PendingTask task, KieResult<TaskRecord> result) {
    if (!result.isOk()) {
      metrics.poll(result.errorClass().name().toLowerCase());
      onPollError(task, result);
      return;
    }
    TaskRecord record = result.value();
    metrics.poll(record.state().name().toLowerCase());
    if (record.state() == TaskState.SUCCESS) {
      learn(task, record);
      if (record.creditsConsumed() != null) {
        metrics.creditsConsumed(task.model, record.creditsConsumed());
      }
      if (record.succeededWithoutResults()) {
        TaskLog.warn(LOG, task, "Task {} of {} reported success without result URLs ({})", task.taskId,
            task.requestId, record.rawState());
        outcomes.finish(task, Results.noResult(task, record));
      } else {
        outcomes.finish(task, Results.succeeded(task, record));
      }
    } else if (record.state() == TaskState.FAIL) {
      onFailed(task, record);
    } else if (System.currentTimeMillis() >= task.deadlineAt) {
      outcomes.finish(task, Results.timedOut(task));
    } else {
      task.seen = PollPlan.Seen.next(task.seen, record.state(), record.stateEnteredAfter(),
          record.createTime() == null ? -1 : record.createTime());
      scheduleNext(task);
    }
  }

  private boolean wouldResubmit(PendingTask task, TaskRecord record) {
    return record.state() == TaskState.FAIL && isServerFailure(record.failCode())
        && task.attempts() <= config.worker().resubmit5xx();
  }

  private void onFailed(PendingTask task, TaskRecord record) {
    if (wouldResubmit(task, record)) {
      TaskLog.warn(LOG, task, "Task {} of {} failed with {} ({}); submitting again", task.taskId, task.requestId,
          record.failCode(), record.failMsg());
      outcomes.resubmit(task, "fail-5xx");
      return;
    }
    outcomes.finish(task, Results.failed(task, record));
  }

  private void onPollError(PendingTask task, KieResult<TaskRecord> result) {
    if (result.errorClass() == ErrorClass.NOT_FOUND && ++task.notFoundPolls >= NOT_FOUND_LIMIT) {
      outcomes.finish(task, Results.failed(task, "TASK_NOT_FOUND",
          "Kie.ai does not know task " + task.taskId, false));
      return;
    }
    if (System.currentTimeMillis() >= task.deadlineAt) {
      outcomes.finish(task, Results.timedOut(task));
      return;
    }
    if (result.errorClass() == ErrorClass.AUTH) {
      gate.keyAccepted(false);
    }
    scheduleNext(task);
  }

  /**
   * A result restored from the ledger at replay: its duration goes into what the poll plan has
   * learned, so a restarted or newly assigned instance polls the model's tasks like the previous
   * owner did instead of starting cold (several reads per task until the first completions).
   */
  void learnFromStoredResult(String model, JsonObject result) {
    long millis = Results.firstAttemptMillis(result);
    if (model != null && millis > 0) {
      times.record(model, millis);
    }
  }

  /** Learns the model's duration from Kie.ai's own timestamps, else from our submit time. */
  private void learn(PendingTask task, TaskRecord record) {
    Duration took = record.generationTime();
    if (took == null && task.submittedAt != null) {
      took = Duration.ofMillis(System.currentTimeMillis() - task.submittedAt.toEpochMilli());
    }
    if (took != null) {
      times.record(task.model, took.toMillis());
      if (task.seen != null) {
        task.seen.teach(phases, task.model, took.toMillis());
      }
    }
  }

  private Duration expected(String model) {
    if (config.worker().expectedDuration() != null) {
      return config.worker().expectedDuration();
    }
    return registry.find(model).map(ModelSpec::expectedDuration).orElse(DEFAULT_EXPECTED);
  }

  static boolean isServerFailure(String failCode) {
    if (failCode == null) {
      return false;
    }
    try {
      int code = Integer.parseInt(failCode.trim());
      return code >= 500 && code < 600;
    } catch (NumberFormatException e) {
      return false;
    }
  }
}
