package io.kieworker.callback;

import io.kieworker.kie.TaskRecord;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

/**
 * A callback body from Kie.ai: {@code {code, msg, data{...}}}, {@code code} 200 on success and 501
 * on failure, {@code data} shaped like recordInfo's (Market) or the legacy record. The body is not
 * signed: treat its content as a hint and confirm with recordInfo before acting on it.
 *
 * @param record the task as the callback describes it (Market or legacy shape, detected)
 * @param data the callback's {@code data} object as received
 */
public record KieCallback(int code, String msg, String taskId, TaskRecord record, JsonObject data) {

  /**
   * The largest callback body accepted; the route refuses anything larger with 413 without
   * buffering it. Kie.ai's are a few KB: the prompt, echoed in {@code param}, is the only large
   * part. A 20,000-character prompt (the registry's longest) of 3-byte characters still fits (about
   * 61 KB in all); one of 4-byte characters, or with every character JSON-escaped, does not: such a task
   * is then finished by its safety-net status read instead of its callback, nothing is lost.
   */
  public static final int MAX_BODY_BYTES = 64 * 1024;

  /** Thrown for a body that is not a Kie.ai callback; the message says what is wrong. */
  public static final class InvalidCallbackException extends Exception {
    public InvalidCallbackException(String message) {
      super(message, null, false, false);
    }
  }

  public static KieCallback parse(Buffer body) throws InvalidCallbackException {
    if (body == null || body.length() == 0) {
      throw new InvalidCallbackException("empty body");
    }
    if (body.length() > MAX_BODY_BYTES) {
      throw new InvalidCallbackException("body of " + body.length() + " bytes exceeds " + MAX_BODY_BYTES);
    }
    Object value;
    try {
      value = Json.decodeValue(body);
    } catch (DecodeException e) {
      throw new InvalidCallbackException("body is not JSON");
    }
    if (!(value instanceof JsonObject)) {
      throw new InvalidCallbackException("body is not a JSON object");
    }
    JsonObject json = (JsonObject) value;
    if (!(json.getValue("code") instanceof Number)) {
      throw new InvalidCallbackException("code is missing or not a number");
    }
    if (!(json.getValue("data") instanceof JsonObject)) {
      throw new InvalidCallbackException("data is missing or not an object");
    }
    JsonObject data = json.getJsonObject("data");
    String taskId = TaskRecord.taskIdOf(data);
    if (taskId == null || taskId.isBlank()) {
      throw new InvalidCallbackException("data.taskId (or data.task_id) is missing");
    }
    TaskRecord record = data.containsKey("successFlag") ? TaskRecord.fromLegacy(data) : TaskRecord.fromMarket(data);
    return new KieCallback(json.getInteger("code"), json.getString("msg"), taskId, record, data);
  }

  public boolean reportsSuccess() {
    return code == 200;
  }
}
