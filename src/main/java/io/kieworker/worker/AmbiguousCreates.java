package io.kieworker.worker;

import io.kieworker.callback.CallbackToken;
import io.kieworker.kie.KieClient;
import io.kieworker.kie.KieResult;
import io.kieworker.kie.TaskRecord;
import io.kieworker.logging.RequestLog;
import io.kieworker.metrics.WorkerMetrics;
import io.kieworker.request.Endpoint;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates whose answer was lost after they were sent (Kie.ai may have made the task, and charges
 * for it): each waits up to {@code WORKER_AMBIGUOUS_GRACE} for its callback, which names the task,
 * is confirmed with Kie.ai (the body is not signed) and adopted; without one the request is
 * submitted again. Event-loop confined.
 */
final class AmbiguousCreates {
  private static final Logger LOG = LoggerFactory.getLogger(AmbiguousCreates.class);
  private static final long CONFIRM_RETRY_MS = 2_000;

  private final TaskOwnership ownership;
  private final TaskOutcomes outcomes;
  private final Vertx vertx;
  private final KieClient kie;
  private final WorkerMetrics metrics;
  private final CallbackToken token;
  private final Duration grace;
  /** The submitter's adoption of a confirmed task (SUBMITTED written, tracking starts). */
  private final BiConsumer<PendingTask, String> adopt;

  AmbiguousCreates(TaskOwnership ownership, TaskOutcomes outcomes, Vertx vertx, KieClient kie, WorkerMetrics metrics,
      CallbackToken token, Duration grace, BiConsumer<PendingTask, String> adopt) {
    this.ownership = ownership;
    this.outcomes = outcomes;
    this.vertx = vertx;
    this.kie = kie;
    this.metrics = metrics;
    this.token = token;
    this.grace = grace;
    this.adopt = adopt;
  }

  /** A create whose answer was lost: wait for its callback, then resubmit after the grace period. */
  void await(PendingTask task, String why) {
    task.ambiguousCreate();
    // The grace runs from now, not from submittedAt (the first attempt): after retries, or when a
    // new owner restores a SUBMITTING record after a session timeout, most of it would be gone and
    // the request paid again before the first task's callback could arrive (chaos suite finding).
    long wait = grace.toMillis();
    TaskLog.warn(LOG, task, "Create for {} is ambiguous ({}); waiting up to {} ms for its callback", task.requestId, why, wait);
    task.ambiguousTimer = vertx.setTimer(wait, id -> {
      task.ambiguousTimer = -1;
      if (task.phase() == PendingTask.Phase.AMBIGUOUS && ownership.owns(task)) {
        TaskLog.warn(LOG, task, "No callback for ambiguous create of {}; submitting again", task.requestId);
        outcomes.resubmit(task, "ambiguous");
      }
    });
  }

  /**
   * A callback named a task for a request whose create was ambiguous. The body is not signed, so
   * Kie.ai is asked: the task must exist and carry this request's callback URL.
   */
  void confirm(PendingTask task, String taskId) {
    if (task.phase() != PendingTask.Phase.AMBIGUOUS && task.phase() != PendingTask.Phase.CREATING) {
      return;
    }
    Future<KieResult<TaskRecord>> lookup =
        task.endpoint == Endpoint.LEGACY ? kie.legacyRecordInfo(taskId) : kie.recordInfo(taskId);
    lookup.onComplete(ar -> {
      if (!ownership.owns(task) || task.taskId != null) {
        return;
      }
      KieResult<TaskRecord> r = ar.result();
      if (r != null && r.isOk() && belongsTo(r.value(), task)) {
        RequestLog.info(LOG, task.requestId, taskId, task.partition, task.offset,
            "Ambiguous create of {} resolved by its callback: task {}", task.requestId, taskId);
        adopt.accept(task, taskId);
        outcomes.pollNow(task); // a callback means the task ended: confirm now, not at the safety-net poll
      } else if (r != null && !r.isOk() && r.error().retryable() && task.phase() == PendingTask.Phase.AMBIGUOUS) {
        // The callback was already answered 200 and will not come again: keep asking Kie.ai
        // (within the grace period, whose timer still runs) rather than drop the only lead.
        vertx.setTimer(CONFIRM_RETRY_MS, id -> confirm(task, taskId));
      } else {
        metrics.callback("ignored", "unconfirmed-task");
      }
    });
  }

  /**
   * The task's stored request carries our callback URL for this attempt of this request (when
   * Kie.ai shows it): a task of an earlier attempt is not this attempt's. A first attempt created
   * before attempts were bound carries the unbound token, which only it can carry.
   */
  private boolean belongsTo(TaskRecord record, PendingTask task) {
    JsonObject param = record.param();
    if (param == null) {
      return task.endpoint == Endpoint.LEGACY; // the legacy record shows no param: trust the token
    }
    String url = param.getString("callBackUrl");
    return url != null && (url.contains(token.token(task.requestId, task.attempt()))
        || task.attempt() <= 1 && url.contains(token.unboundToken(task.requestId)));
  }

  /** The task is no longer waiting (adopted, forgotten): its grace timer stops. */
  void cancel(PendingTask task) {
    if (task.ambiguousTimer >= 0) {
      vertx.cancelTimer(task.ambiguousTimer);
      task.ambiguousTimer = -1;
    }
  }
}
