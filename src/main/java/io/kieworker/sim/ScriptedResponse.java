package io.kieworker.sim;

import io.vertx.core.json.JsonObject;

/**
 * One scripted answer of an endpoint, used once, in order, before any random fault.
 *
 * @param code body code; 200 means "answer normally"
 * @param httpStatus HTTP status to use, or null for the usual rule (200, or the code with
 *     --http-status-errors; 429 is always HTTP 429)
 * @param hang never answer
 * @param afterCreate on createTask / legacy generate: create the task first, then answer the
 *     error or hang (the ambiguous create a client must survive)
 * @param msg body message, or null for a default
 * @param retryAfter the {@code Retry-After} header of a scripted 429 as sent (any text, so clients
 *     can be tested with huge, negative or malformed values), or null for "1"
 */
public record ScriptedResponse(int code, Integer httpStatus, boolean hang, boolean afterCreate, String msg,
    String retryAfter) {

  public ScriptedResponse(int code, Integer httpStatus, boolean hang, boolean afterCreate, String msg) {
    this(code, httpStatus, hang, afterCreate, msg, null);
  }

  public static ScriptedResponse normal() {
    return new ScriptedResponse(200, null, false, false, null);
  }

  public static ScriptedResponse error(int code) {
    return new ScriptedResponse(code, null, false, false, null);
  }

  public static ScriptedResponse hangUp() {
    return new ScriptedResponse(0, null, true, false, null);
  }

  public ScriptedResponse withHttpStatus(int status) {
    return new ScriptedResponse(code, status, hang, afterCreate, msg, retryAfter);
  }

  public ScriptedResponse withMsg(String message) {
    return new ScriptedResponse(code, httpStatus, hang, afterCreate, message, retryAfter);
  }

  /** The Retry-After header sent with this (429) answer, verbatim. */
  public ScriptedResponse withRetryAfter(String header) {
    return new ScriptedResponse(code, httpStatus, hang, afterCreate, msg, header);
  }

  /** Create the task, then give this answer. */
  public ScriptedResponse createFirst() {
    return new ScriptedResponse(code, httpStatus, hang, true, msg, retryAfter);
  }

  boolean isNormal() {
    return code == 200 && !hang && !afterCreate;
  }

  /** {@code {"code":500,"httpStatus":502,"hang":false,"afterCreate":true,"msg":"...","retryAfter":"30"}}. */
  public static ScriptedResponse fromJson(JsonObject j) {
    boolean hang = j.getBoolean("hang", false);
    return new ScriptedResponse(
        j.getInteger("code", hang ? 0 : 200),
        j.getInteger("httpStatus"),
        hang,
        j.getBoolean("afterCreate", false),
        j.getString("msg"),
        j.getValue("retryAfter") == null ? null : String.valueOf(j.getValue("retryAfter")));
  }

  public JsonObject toJson() {
    return new JsonObject().put("code", code).put("httpStatus", httpStatus).put("hang", hang)
        .put("afterCreate", afterCreate).put("msg", msg).put("retryAfter", retryAfter);
  }
}
