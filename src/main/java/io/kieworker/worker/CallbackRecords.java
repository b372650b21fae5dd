package io.kieworker.worker;

import io.kieworker.kie.TaskRecord;
import io.kieworker.ledger.LedgerRecord;
import io.kieworker.metrics.WorkerMetrics;
import io.vertx.core.json.JsonObject;

/**
 * What the owner does with a callback: every accepted callback, at whichever instance Kie.ai
 * reached, arrives here as a CALLBACK ledger record of the request's partition (live, or at a
 * replay). Event-loop confined.
 */
final class CallbackRecords {
  private final Submitter submitter;
  private final Tracker tracker;
  private final WorkerMetrics metrics;
  private final boolean trustCallbacks;

  CallbackRecords(Submitter submitter, Tracker tracker, WorkerMetrics metrics, boolean trustCallbacks) {
    this.submitter = submitter;
    this.tracker = tracker;
    this.metrics = metrics;
    this.trustCallbacks = trustCallbacks;
  }

  void onCallbackRecord(PartitionState state, LedgerRecord callback) {
    PendingTask task = state.pending.get(callback.requestId());
    if (task == null || callback.taskId() == null) {
      metrics.callback("ignored", "no-pending-task");
      return;
    }
    task.callbackRecorded = true;
    if (!ofCurrentAttempt(callback, task)) {
      // A callback of an earlier attempt (say the task that failed with a 5xx and was resubmitted)
      // must not be adopted for the current one: it would end the request with that task's result.
      metrics.callback("ignored", "stale-attempt");
      return;
    }
    if (task.taskId == null) {
      submitter.confirmAmbiguous(task, callback.taskId());
    } else if (task.taskId.equals(callback.taskId())) {
      TaskRecord reported = reportedByCallback(callback);
      if (trustCallbacks && reported != null && reported.state().terminal()) {
        tracker.complete(task, reported);
      } else {
        tracker.pollNow(task);
      }
    } else {
      metrics.callback("ignored", "other-task");
    }
  }

  /**
   * The callback's URL was made for the task's current attempt. A URL without attempt (written
   * before attempts were bound, recorded as 0) can only be the first attempt's.
   */
  private static boolean ofCurrentAttempt(LedgerRecord callback, PendingTask task) {
    return callback.attempts() == 0 ? task.attempt() <= 1 : callback.attempts() == task.attempt();
  }

  private static TaskRecord reportedByCallback(LedgerRecord callback) {
    JsonObject data = callback.result();
    if (data == null) {
      return null;
    }
    return data.containsKey("successFlag") ? TaskRecord.fromLegacy(data) : TaskRecord.fromMarket(data);
  }
}
