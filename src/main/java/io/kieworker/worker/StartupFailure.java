package io.kieworker.worker;

/**
 * A reason the worker cannot start, as one sentence for the operator (what is wrong, where, what to
 * do). {@code kie-worker run} prints the message as it is and exits non-zero.
 */
public final class StartupFailure extends RuntimeException {
  public StartupFailure(String sentence, Throwable cause) {
    super(sentence, cause);
  }

  public StartupFailure(String sentence) {
    super(sentence);
  }

  /** The first StartupFailure in {@code e}'s cause chain, or null. */
  public static StartupFailure in(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof StartupFailure failure) {
        return failure;
      }
    }
    return null;
  }
}
