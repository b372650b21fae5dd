package io.kieworker.worker;

import io.kieworker.ledger.LedgerRecord;
import io.kieworker.result.ResultEvent;
import io.vertx.core.Future;
import java.util.function.BooleanSupplier;

/** Where a task goes next, as decided by the submitter and the tracker. Event-loop confined. */
interface TaskOutcomes {
  /** The task id is durable: the request's offset may be committed. */
  void durable(PendingTask task);

  /** Publishes the terminal result, then records it in the ledger. Exactly once per live task. */
  void finish(PendingTask task, ResultEvent result);

  /** Kafka refused the task's SUBMITTING record for good: it ends REJECTED, nothing paid. */
  void refusedBeforeCreate(PendingTask task, Throwable cause);

  /** Kie.ai failed the task in a way worth another paid attempt (5xx, ambiguous create past its grace). */
  void resubmit(PendingTask task, String reason);

  /** Starts following a task whose id is known. */
  void track(PendingTask task);

  /** A callback or an adopted task: read its state now instead of at the planned poll. */
  void pollNow(PendingTask task);

  /** A ledger write retried until acknowledged, given up once the task is not ours or not {@code wanted}. */
  Future<Void> writeLedgerWhileOwned(PendingTask task, LedgerRecord record, BooleanSupplier wanted);
}
