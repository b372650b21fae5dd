package io.kieworker.kie;

/** What a failed Kie.ai call means for the caller, whatever the code that said it. */
public enum ErrorClass {
  /** Invalid request, disabled feature, key limit: repeating it cannot help. */
  PERMANENT(false),
  /** The key was refused (401): stop using it until an operator acts. */
  AUTH(false),
  /** Not enough credits (402): pause until credits return. */
  CREDITS(false),
  /**
   * The sub-key's usage limit is reached (433); nothing was created. Pause creates and probe
   * later: no endpoint tells when the limit resets.
   */
  QUOTA(false),
  /** 429: Kie.ai refused because of the rate limit; nothing was created. Retry later. */
  RATE_LIMITED(true),
  /** Maintenance, server errors, connection trouble before the request was sent. Retry later. */
  TRANSIENT(true),
  /** A read for a task Kie.ai does not know (404 on recordInfo). */
  NOT_FOUND(false),
  /**
   * A create whose fate is unknown: the request was sent, then the answer was lost (timeout, reset,
   * gateway timeout). A task may exist. Never retried by the client; the tracker decides.
   */
  AMBIGUOUS(false);

  private final boolean retryable;

  ErrorClass(boolean retryable) {
    this.retryable = retryable;
  }

  /** True when the same call may succeed if repeated later. */
  public boolean retryable() {
    return retryable;
  }
}
