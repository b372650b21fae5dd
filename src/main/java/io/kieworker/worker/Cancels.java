package io.kieworker.worker;

import io.kieworker.kafka.OffsetTracker;
import io.kieworker.logging.RequestLog;
import io.kieworker.metrics.WorkerMetrics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cancel messages ({@code {"requestId", "action": "cancel"}}, keyed like the request so they land on
 * its partition, after it). A request whose create has not started is withdrawn and ends CANCELLED,
 * nothing paid; the cancel's offset is committable once that result is durable, so a cancel read
 * again after a restart finds the CANCELLED terminal. A request created already (or finished) is
 * answered by its normal result: Kie.ai has no cancel and the task is paid either way. A cancel for
 * an id this partition does not know is ignored. Each outcome is counted in
 * {@code kie_worker_cancels_total{outcome}}. Event-loop confined.
 */
final class Cancels {
  private static final Logger LOG = LoggerFactory.getLogger(Cancels.class);

  private final OffsetTracker offsets;
  private final Submitter submitter;
  private final TaskOutcomes outcomes;
  private final WorkerMetrics metrics;

  Cancels(OffsetTracker offsets, Submitter submitter, TaskOutcomes outcomes, WorkerMetrics metrics) {
    this.offsets = offsets;
    this.submitter = submitter;
    this.outcomes = outcomes;
    this.metrics = metrics;
  }

  void apply(PartitionState state, ConsumerRecord<String, byte[]> record, String requestId) {
    PendingTask task = state.pending.get(requestId);
    if (task != null && submitter.withdraw(task)) {
      metrics.cancel("cancelled");
      log(record, requestId, "withdrawn before its create: CANCELLED, nothing paid");
      task.cancelOffset = record.offset();
      outcomes.finish(task, Results.cancelled(task));
      return;
    }
    String outcome = task != null || state.terminals.containsKey(requestId) ? "too_late" : "unknown";
    metrics.cancel(outcome);
    log(record, requestId, outcome.equals("too_late")
        ? "too late: its task was created already and its result answers the cancel"
        : "ignored: no such request on this partition");
    offsets.finished(record.partition(), record.offset());
  }

  private static void log(ConsumerRecord<String, byte[]> record, String requestId, String what) {
    RequestLog.info(LOG, requestId, null, record.partition(), record.offset(), "Cancel of {} ({}-{}@{}) {}",
        requestId, record.topic(), record.partition(), record.offset(), what);
  }
}
