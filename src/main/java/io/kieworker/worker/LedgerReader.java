package io.kieworker.worker;

import io.kieworker.ledger.LedgerRecord;
import io.kieworker.metrics.WorkerMetrics;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads ledger values. One this version cannot read (malformed, or a record type of a newer
 * version after a rollback) is counted and skipped, never taken for a tombstone; the log gets at
 * most one line per 10 s about them, so a ledger full of them cannot flood it. Event-loop confined.
 */
final class LedgerReader {
  private static final Logger LOG = LoggerFactory.getLogger(LedgerReader.class);
  private static final long UNREADABLE_LOG_EVERY_MS = 10_000;

  private final WorkerMetrics metrics;
  private long unreadableLoggedAt = Long.MIN_VALUE / 2;
  private long unreadableSinceLog;

  LedgerReader(WorkerMetrics metrics) {
    this.metrics = metrics;
  }

  /** The record, or null when unreadable; {@code offset} is -1 for a value kept during a replay. */
  LedgerRecord read(int partition, long offset, byte[] value) {
    try {
      return LedgerRecord.fromJson(new JsonObject(Buffer.buffer(value)));
    } catch (RuntimeException e) {
      unreadable(partition, offset, e);
      return null;
    }
  }

  private void unreadable(int partition, long offset, RuntimeException e) {
    metrics.counter("kie_worker.ledger.unreadable").increment();
    unreadableSinceLog++;
    long now = System.currentTimeMillis();
    if (now - unreadableLoggedAt >= UNREADABLE_LOG_EVERY_MS) {
      LOG.warn("Unreadable ledger record {}@{} kept and skipped (state of its key unchanged): {}"
          + " ({} unreadable since the last such line)", partition, offset < 0 ? "replay" : offset,
          e.toString(), unreadableSinceLog);
      unreadableLoggedAt = now;
      unreadableSinceLog = 0;
    }
  }
}
