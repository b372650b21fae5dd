package io.kieworker.result;

import java.util.Locale;

/** The terminal state a result event reports. */
public enum ResultStatus {
  SUCCEEDED,
  FAILED,
  REJECTED,
  TIMED_OUT;

  /** The CloudEvents type: {@code ai.kie.generation.succeeded}, {@code ai.kie.generation.timed_out}, … */
  public String ceType() {
    return "ai.kie.generation." + name().toLowerCase(Locale.ROOT);
  }
}
