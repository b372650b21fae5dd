package io.kieworker.worker;

import io.kieworker.config.StoreConfig;
import io.kieworker.ledger.LedgerRecord;
import io.kieworker.ledger.TaskLedger;
import io.kieworker.metrics.WorkerMetrics;
import io.kieworker.result.ResultEvent;
import io.kieworker.result.ResultStatus;
import io.kieworker.result.StoredCopy;
import io.kieworker.store.ResultStore;
import io.kieworker.store.S3ResultStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The optional stage between "task succeeded" and "result published" (issue 13): copies the result
 * images into the user's store, records the copy in the ledger (a SUBMITTED record whose
 * {@code result} holds {@code {"stored": ..., "taskId": ...}}), and hands on the result with
 * {@code storedUrls}/{@code stored}, or with {@code storeError} when the copy could not be done.
 * A new owner after a crash restores the record with the task and publishes the recorded copy
 * instead of copying again; deterministic keys make even a repeated copy overwrite the same objects.
 *
 * <p>Event-loop confined (the worker's context). Metric {@code kie_worker_result_store_total{outcome}}:
 * stored, already_stored, failed.
 */
final class StoreStage {
  private static final Logger LOG = LoggerFactory.getLogger(StoreStage.class);
  static final String LEDGER_FIELD = "stored";

  private final TaskOwnership ownership;
  private final ResultStore store;
  private final TaskLedger ledger;
  private final Outbox outbox;
  private final WorkerMetrics metrics;
  private final String instanceId;
  private final java.util.List<StoreListener> listeners = StoreListener.installed();

  private StoreStage(TaskOwnership ownership, ResultStore store, TaskLedger ledger, Outbox outbox, WorkerMetrics metrics,
      String instanceId) {
    this.ownership = ownership;
    this.store = store;
    this.ledger = ledger;
    this.outbox = outbox;
    this.metrics = metrics;
    this.instanceId = instanceId;
  }

  /** The stage, or null when the store is off. Builds the SDK client on a worker thread. */
  static Future<StoreStage> create(Vertx vertx, StoreConfig config, TaskOwnership ownership, TaskLedger ledger, Outbox outbox,
      WorkerMetrics metrics, String instanceId) {
    if (!config.enabled()) {
      return Future.succeededFuture(null);
    }
    return vertx.executeBlocking(() -> S3ResultStore.create(vertx, config), false)
        .map(store -> new StoreStage(ownership, store, ledger, outbox, metrics, instanceId));
  }

  /** The result to publish: with the stored copy when the result is SUCCEEDED and has images. Never fails. */
  Future<ResultEvent> copy(PendingTask task, ResultEvent result) {
    if (result.status() != ResultStatus.SUCCEEDED || result.resultUrls().isEmpty()) {
      return Future.succeededFuture(result);
    }
    StoredCopy recorded = recorded(task);
    if (recorded != null) {
      count("already_stored");
      TaskLog.info(LOG, task, "Result images of {} already stored by a previous owner; not copied again",
          task.requestId);
      return Future.succeededFuture(result.withStore(recorded));
    }
    ResultStore.Job job = new ResultStore.Job(task.requestId, task.taskId, task.model, task.receivedAt,
        result.metadata(), result.resultUrls());
    return store.copy(job).compose(copy -> {
      if (copy.error() != null) {
        count("failed");
        return Future.succeededFuture(result.withStore(copy));
      }
      count("stored");
      return record(task, copy).map(v -> result.withStore(copy));
    });
  }

  Future<Void> close() {
    return store.close();
  }

  /** The copy a ledger record of this task holds, when it was made for the task id that succeeded. */
  private static StoredCopy recorded(PendingTask task) {
    JsonObject stored = task.storedCopy;
    if (stored == null || task.taskId == null || !task.taskId.equals(stored.getString("taskId"))) {
      return null;
    }
    StoredCopy copy = StoredCopy.fromJson(stored.getJsonObject(LEDGER_FIELD));
    return copy == null || copy.error() != null ? null : copy;
  }

  /**
   * Writes the copy into the task's ledger record, fenced like a result: a stale owner must not
   * overwrite a newer owner's TERMINAL record with a SUBMITTED one. A failed write only costs a
   * second copy after a crash (the same keys), so the result is published either way.
   */
  private Future<Void> record(PendingTask task, StoredCopy copy) {
    JsonObject note = new JsonObject().put("taskId", task.taskId).put(LEDGER_FIELD, copy.toJson());
    task.storedCopy = note;
    return ownership.fence(task).compose(ours -> {
      if (!ours) {
        return Future.succeededFuture();
      }
      LedgerRecord submitted = task.toLedger(LedgerRecord.Type.SUBMITTED, instanceId,
          ownership.epoch(task.partition), note);
      return outbox.durably("ledger STORED " + task.requestId, () -> ledger.write(task.partition, submitted))
          .onSuccess(v -> listeners.forEach(l -> l.stored(task.requestId, task.taskId)))
          .<Void>mapEmpty()
          .otherwiseEmpty();
    });
  }

  private void count(String outcome) {
    metrics.counter("kie_worker.result.store", "outcome", outcome).increment();
  }
}
