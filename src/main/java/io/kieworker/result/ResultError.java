package io.kieworker.result;

import io.vertx.core.json.JsonObject;

/** Why a request did not succeed: Kie.ai's failCode / body code, or a worker code such as VALIDATION. */
public record ResultError(String code, String message, boolean retryable) {
  public static final String VALIDATION = "VALIDATION";
  public static final String UNPARSEABLE = "UNPARSEABLE";
  public static final String DEADLINE = "DEADLINE";
  /** The request's own durable records (ledger, result, dead letter) could not fit a Kafka record. */
  public static final String TOO_LARGE = "TOO_LARGE";
  /** Handling the record failed unexpectedly (a worker bug); the record is dead-lettered. */
  public static final String INTERNAL = "INTERNAL";
  /** Kafka refused to write the request's records for good (authorization, invalid topic, …). */
  public static final String PRODUCE_REFUSED = "PRODUCE_REFUSED";
  /** EXPIRED: the request's create had not started by its deadline; not retryable. */
  public static final String EXPIRED = "EXPIRED";
  /** CANCELLED: a cancel message ended the request before its create started; not retryable. */
  public static final String CANCELLED = "CANCELLED";

  JsonObject toJson() {
    return new JsonObject().put("code", code).put("message", message).put("retryable", retryable);
  }

  static ResultError fromJson(JsonObject json) {
    return json == null ? null
        : new ResultError(json.getString("code"), json.getString("message"), json.getBoolean("retryable", false));
  }
}
