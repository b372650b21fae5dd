package io.kieworker.worker;

import io.vertx.core.Future;

/**
 * Whether a task is still this instance's to act on. Asked before every step a stale owner must
 * not take (a paid create, a result, a retry). Event-loop confined.
 */
interface TaskOwnership {
  /** True while this instance owns the task's partition and the task is still live. */
  boolean owns(PendingTask task);

  /** True while the task's partition is being handed over: no new create may start there. */
  boolean handingOver(PendingTask task);

  /** Our ownership epoch of the partition (0 before our OWNERSHIP record is written). */
  long epoch(int partition);

  /**
   * Passes once the ledger tail has read everything written to the task's partition so far, then
   * tells whether the task is still ours: a newer owner's OWNERSHIP record written before ours has
   * then been seen and has fenced us.
   */
  Future<Boolean> fence(PendingTask task);
}
