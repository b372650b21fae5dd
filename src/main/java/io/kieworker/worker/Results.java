package io.kieworker.worker;

import io.kieworker.kie.KieError;
import io.kieworker.kie.TaskRecord;
import io.kieworker.result.ResultError;
import io.kieworker.result.ResultEvent;
import io.kieworker.result.ResultStatus;
import io.kieworker.result.Timings;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds the terminal result of a pending task. */
final class Results {
  private Results() {}

  static ResultEvent succeeded(PendingTask task, TaskRecord record) {
    return event(task, ResultStatus.SUCCEEDED, record.resultUrls(), null, record.creditsConsumed(),
        completedAt(record));
  }

  static ResultEvent failed(PendingTask task, TaskRecord record) {
    String code = record.failCode() == null ? "GENERATION_FAILED" : record.failCode();
    String message = record.failMsg() == null ? "Kie.ai reported the task failed" : record.failMsg();
    return event(task, ResultStatus.FAILED, List.of(), new ResultError(code, message, false),
        record.creditsConsumed(), completedAt(record));
  }

  /**
   * The error code of a task Kie.ai reported as successful without any result URL. Retryable: the
   * same request sent again (a new paid task) may well produce images.
   */
  static final String NO_RESULT = "NO_RESULT";

  static ResultEvent noResult(PendingTask task, TaskRecord record) {
    return event(task, ResultStatus.FAILED, List.of(), new ResultError(NO_RESULT,
        "Kie.ai reported the task successful but returned no result URL", true),
        record.creditsConsumed(), completedAt(record));
  }

  static ResultEvent failed(PendingTask task, KieError error) {
    return event(task, ResultStatus.FAILED, List.of(),
        new ResultError(error.code(), error.message(), error.retryable()), null, Instant.now());
  }

  static ResultEvent failed(PendingTask task, String code, String message, boolean retryable) {
    return event(task, ResultStatus.FAILED, List.of(), new ResultError(code, message, retryable), null,
        Instant.now());
  }

  /** No paid call was made for the task (e.g. Kafka refused its SUBMITTING record): REJECTED with {@code code}. */
  static ResultEvent rejected(PendingTask task, String code, String message) {
    return new ResultEvent(task.requestId, ResultStatus.REJECTED, task.model, null, List.of(),
        new ResultError(code, message, false), 0, null, new Timings(task.receivedAt, null, null, null),
        metadata(task.metadata));
  }

  /** Its create had not started by its deadline (the request's expiresAt or WORKER_MAX_QUEUE_TIME): nothing was paid. */
  static ResultEvent expired(PendingTask task) {
    return ResultEvent.expired(task.requestId, task.model, metadata(task.metadata), "the request's create had not"
        + " started by " + Instant.ofEpochMilli(task.expiresAtMillis) + " (its expiresAt, or WORKER_MAX_QUEUE_TIME"
        + " after it was sent); nothing was paid", task.receivedAt);
  }

  /** Withdrawn by a cancel message before its create started: nothing was paid. */
  static ResultEvent cancelled(PendingTask task) {
    return ResultEvent.cancelled(task.requestId, task.model, metadata(task.metadata),
        "cancelled before its create started; nothing was paid", task.receivedAt);
  }

  static ResultEvent timedOut(PendingTask task) {
    return event(task, ResultStatus.TIMED_OUT, List.of(), new ResultError(ResultError.DEADLINE,
        "no terminal state from Kie.ai before the deadline", true), null, Instant.now());
  }

  private static ResultEvent event(PendingTask task, ResultStatus status, List<String> urls,
      ResultError error, Double credits, Instant completedAt) {
    return new ResultEvent(task.requestId, status, task.model, task.taskId, urls, error, task.attempts(),
        credits, new Timings(task.receivedAt, task.submittedAt, completedAt, null), metadata(task.metadata));
  }

  /**
   * How long a task that succeeded at its first attempt took from its submission to Kie.ai's
   * completion, read from a stored result (a ledger TERMINAL record); -1 when the result cannot
   * tell (other statuses, resubmitted tasks, missing or malformed timings).
   */
  static long firstAttemptMillis(JsonObject result) {
    try {
      JsonObject timings = result == null ? null : result.getJsonObject("timings");
      if (timings == null || !ResultStatus.SUCCEEDED.name().equals(result.getString("status"))
          || result.getInteger("attempts", 0) != 1) {
        return -1;
      }
      String submitted = timings.getString("submittedAt");
      String completed = timings.getString("completedAt");
      if (submitted == null || completed == null) {
        return -1;
      }
      long millis = Instant.parse(completed).toEpochMilli() - Instant.parse(submitted).toEpochMilli();
      return millis > 0 ? millis : -1;
    } catch (ClassCastException | java.time.format.DateTimeParseException e) {
      return -1;
    }
  }

  private static Instant completedAt(TaskRecord record) {
    return record.completeTime() == null ? Instant.now() : Instant.ofEpochMilli(record.completeTime());
  }

  private static Map<String, String> metadata(JsonObject json) {
    Map<String, String> map = new LinkedHashMap<>();
    json.forEach(e -> map.put(e.getKey(), String.valueOf(e.getValue())));
    return map;
  }
}
