package io.kieworker.worker;

import io.kieworker.health.Health;
import io.kieworker.kafka.RequestConsumer;
import java.util.HashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reasons the request partitions are paused, and backpressure: pause at WORKER_MAX_PENDING
 * pending tasks or WORKER_MAX_PENDING_BYTES of their request values, resume once both are at
 * WORKER_RESUME_RATIO of their bound. These two bound the read-ahead's memory: the create queue
 * holds at most that many requests (issue 10: deep enough to see other tenants behind a backlog). Pausing is by partition, so the consumer
 * keeps polling (and keeps its group membership). Event-loop confined.
 */
final class IntakePause implements IntakeGate {
  private static final Logger LOG = LoggerFactory.getLogger(IntakePause.class);
  static final String BACKPRESSURE = "backpressure";

  private final Health health;
  private final int maxPending;
  private final int resumeMark;
  private final long maxPendingBytes;
  private final long resumeBytes;
  private final Set<String> reasons = new HashSet<>();
  /** Null until the consumer exists; reasons raised before then are applied when it starts. */
  private RequestConsumer consumer;
  private boolean stopping;

  IntakePause(Health health, int maxPending, int resumeMark, long maxPendingBytes, double resumeRatio) {
    this.health = health;
    this.maxPending = maxPending;
    this.resumeMark = resumeMark;
    this.maxPendingBytes = maxPendingBytes;
    this.resumeBytes = (long) (maxPendingBytes * resumeRatio);
  }

  /** The consumer now exists: it starts paused when a reason was raised before (e.g. the key was refused). */
  void consumer(RequestConsumer consumer) {
    this.consumer = consumer;
    if (!reasons.isEmpty()) {
      consumer.pauseAll();
    }
  }

  /** Shutdown began: nothing resumes any more. */
  void stopping() {
    stopping = true;
  }

  boolean paused() {
    return !reasons.isEmpty();
  }

  @Override
  public void pauseFor(String reason) {
    if (reasons.add(reason)) {
      LOG.warn("Pausing request partitions: {}", reason);
      health.paused(reasons);
      if (consumer != null) {
        consumer.pauseAll();
      }
    }
  }

  @Override
  public void resumeFrom(String reason) {
    if (reasons.remove(reason)) {
      LOG.info("Resuming request partitions: {} cleared", reason);
      health.paused(reasons);
      if (reasons.isEmpty() && consumer != null && !stopping) {
        consumer.resumeAll();
      }
    }
  }

  @Override
  public void keyAccepted(boolean accepted) {
    health.keyAccepted(accepted);
  }

  /** Backpressure: pause at the high mark of pending tasks or bytes, resume when both are at the low mark. */
  void pending(int pending, long bytes) {
    if (pending >= maxPending || bytes >= maxPendingBytes) {
      pauseFor(BACKPRESSURE);
    } else if (pending <= resumeMark && bytes <= resumeBytes) {
      resumeFrom(BACKPRESSURE);
    }
  }
}
