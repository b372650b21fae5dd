package io.kieworker.sim;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * One simulated task. Immutable: its state is a function of the clock (waiting for the first 10 %
 * of its latency, queuing to 25 %, generating to 100 %, then success or fail), so a pending task
 * costs a few hundred bytes and no timer. {@code param} is kept as the serialized request.
 *
 * @param failCode null when the task will succeed
 * @param promptHead the first 200 characters of the prompt, for {@code /sim/tasks}
 * @param resultUrl the image a success names, or null for a success without any (see [sim:no-result])
 */
public record SimTask(
    String taskId,
    String model,
    String param,
    String callBackUrl,
    String promptHead,
    long createTime,
    long latencyMs,
    String failCode,
    String failMsg,
    double credits,
    String resultUrl,
    boolean legacy) {

  public enum State {
    WAITING, QUEUING, GENERATING, SUCCESS, FAIL;

    public String wire() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    public boolean terminal() {
      return this == SUCCESS || this == FAIL;
    }
  }

  public long completeTime() {
    return createTime + latencyMs;
  }

  public boolean willFail() {
    return failCode != null;
  }

  public State state(long now) {
    long elapsed = now - createTime;
    if (elapsed >= latencyMs) {
      return willFail() ? State.FAIL : State.SUCCESS;
    }
    if (elapsed * 10 < latencyMs) {
      return State.WAITING;
    }
    return elapsed * 4 < latencyMs ? State.QUEUING : State.GENERATING;
  }

  /** The Market {@code recordInfo} data object (also the callback's {@code data}). */
  public JsonObject marketRecord(long now) {
    State state = state(now);
    boolean done = state.terminal();
    boolean success = state == State.SUCCESS;
    return new JsonObject()
        .put("taskId", taskId)
        .put("model", model)
        .put("state", state.wire())
        .put("param", param)
        .put("resultJson", success ? resultJson() : "")
        .put("failCode", state == State.FAIL ? failCode : null)
        .put("failMsg", state == State.FAIL ? failMsg : null)
        .put("costTime", done ? latencyMs : null)
        .put("completeTime", done ? completeTime() : null)
        .put("createTime", createTime)
        .put("updateTime", updateTime(now, state))
        .put("creditsConsumed", success ? creditsNumber(credits) : null);
  }

  /** The flat legacy {@code record-info} object (successFlag 0 generating, 1 success, 2 failed). */
  public JsonObject legacyRecord(long now) {
    State state = state(now);
    JsonObject r = new JsonObject()
        .put("taskId", taskId)
        .put("successFlag", state == State.SUCCESS ? 1 : state == State.FAIL ? 2 : 0);
    if (state == State.SUCCESS && resultUrl != null) {
      r.put("imageUrl", resultUrl);
    } else if (state == State.FAIL) {
      r.put("errorCode", legacyErrorCode()).put("errorMessage", failMsg);
    }
    r.put("createTime", Instant.ofEpochMilli(createTime).toString());
    if (state.terminal()) {
      r.put("completeTime", Instant.ofEpochMilli(completeTime()).toString());
    }
    return r;
  }

  /** A short line for {@code /sim/tasks}. */
  public JsonObject summary(long now) {
    return new JsonObject()
        .put("taskId", taskId)
        .put("model", model)
        .put("state", state(now).wire())
        .put("legacy", legacy)
        .put("callBackUrl", callBackUrl)
        .put("prompt", promptHead)
        .put("createTime", createTime);
  }

  String resultJson() {
    JsonArray urls = resultUrl == null ? new JsonArray() : new JsonArray().add(resultUrl);
    return new JsonObject().put("resultUrls", urls).encode();
  }

  private long updateTime(long now, State state) {
    return switch (state) {
      case WAITING -> createTime;
      case QUEUING -> createTime + latencyMs / 10;
      case GENERATING -> createTime + latencyMs / 4;
      default -> completeTime();
    };
  }

  private Object legacyErrorCode() {
    try {
      return Integer.parseInt(failCode);
    } catch (NumberFormatException e) {
      return failCode;
    }
  }

  static Number creditsNumber(double credits) {
    return credits == Math.rint(credits) && Math.abs(credits) < 1e15 ? (Number) (long) credits : credits;
  }
}
