package io.kieworker.result;

import java.util.Locale;

/** The terminal state a result event reports. */
public enum ResultStatus {
  SUCCEEDED,
  FAILED,
  REJECTED,
  TIMED_OUT,
  /** Its create had not started by its {@code expiresAt} or {@code WORKER_MAX_QUEUE_TIME}; no paid call. */
  EXPIRED,
  /** A cancel message ended it before its create started; no paid call. */
  CANCELLED;

  /** The CloudEvents type: {@code ai.kie.generation.succeeded}, {@code ai.kie.generation.timed_out}, … */
  public String ceType() {
    return "ai.kie.generation." + name().toLowerCase(Locale.ROOT);
  }
}
