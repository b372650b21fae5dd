package io.kieworker.kie;

import java.util.Locale;

/** A Kie.ai task's state. Kie.ai documents five; anything else means "still running". */
public enum TaskState {
  WAITING, QUEUING, GENERATING, SUCCESS, FAIL, UNKNOWN;

  public boolean terminal() {
    return this == SUCCESS || this == FAIL;
  }

  public static TaskState parse(String state) {
    if (state == null) {
      return UNKNOWN;
    }
    switch (state.trim().toLowerCase(Locale.ROOT)) {
      case "waiting": return WAITING;
      case "queuing": return QUEUING;
      case "generating": return GENERATING;
      case "success": return SUCCESS;
      case "fail": return FAIL;
      default: return UNKNOWN;
    }
  }

  /** The legacy endpoint's {@code successFlag}: 0 generating, 1 success, 2 failed, 3 creation failed. */
  public static TaskState fromSuccessFlag(int successFlag) {
    switch (successFlag) {
      case 0: return GENERATING;
      case 1: return SUCCESS;
      case 2: case 3: return FAIL;
      default: return UNKNOWN;
    }
  }
}
