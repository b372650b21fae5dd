package io.kieworker.result;

import io.kieworker.model.Violation;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The value of a result record (design.md §4). {@code violations} is an optional extra of REJECTED
 * results, written as {@code "violations": [{path, message}]} only when not empty.
 */
public record ResultEvent(
    String requestId,
    ResultStatus status,
    String model,
    String taskId,
    List<String> resultUrls,
    ResultError error,
    int attempts,
    Double creditsConsumed,
    Timings timings,
    Map<String, String> metadata,
    List<Violation> violations) {

  static final int MAX_REJECTION_MESSAGE = 2000;

  public ResultEvent {
    Objects.requireNonNull(requestId, "requestId");
    Objects.requireNonNull(status, "status");
    resultUrls = resultUrls == null ? List.of() : List.copyOf(resultUrls);
    timings = timings == null ? Timings.NONE : timings;
    metadata = metadata == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    violations = violations == null ? List.of() : List.copyOf(violations);
  }

  public ResultEvent(String requestId, ResultStatus status, String model, String taskId,
      List<String> resultUrls, ResultError error, int attempts, Double creditsConsumed,
      Timings timings, Map<String, String> metadata) {
    this(requestId, status, model, taskId, resultUrls, error, attempts, creditsConsumed, timings,
        metadata, List.of());
  }

  /**
   * A REJECTED result: no paid call was made. The code is UNPARSEABLE when a violation is about the
   * whole value (path {@code $}), VALIDATION otherwise; the message joins every violation.
   */
  public static ResultEvent rejected(String requestId, String model, Map<String, String> metadata,
      List<Violation> violations, Instant receivedAt) {
    List<Violation> all = violations == null ? List.of() : violations;
    boolean unparseable = all.stream().anyMatch(v -> "$".equals(v.path()));
    String message = all.stream().map(Violation::toString).collect(Collectors.joining("; "));
    if (message.length() > MAX_REJECTION_MESSAGE) {
      message = message.substring(0, MAX_REJECTION_MESSAGE - 1) + "…";
    }
    ResultError error = new ResultError(
        unparseable ? ResultError.UNPARSEABLE : ResultError.VALIDATION,
        message.isEmpty() ? "the request was rejected" : message,
        false);
    return new ResultEvent(requestId, ResultStatus.REJECTED, model, null, List.of(), error, 0, null,
        new Timings(receivedAt, null, null, null), metadata, all);
  }

  public ResultEvent withPublishedAt(Instant at) {
    return new ResultEvent(requestId, status, model, taskId, resultUrls, error, attempts,
        creditsConsumed, timings.withPublishedAt(at), metadata, violations);
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject()
        .put("requestId", requestId)
        .put("status", status.name())
        .put("model", model)
        .put("taskId", taskId)
        .put("resultUrls", new JsonArray(List.copyOf(resultUrls)))
        .put("error", error == null ? null : error.toJson())
        .put("attempts", attempts)
        .put("creditsConsumed", credits(creditsConsumed))
        .put("timings", timings.toJson())
        .put("metadata", new JsonObject(new LinkedHashMap<>(metadata)));
    if (!violations.isEmpty()) {
      JsonArray array = new JsonArray();
      violations.forEach(v -> array.add(new JsonObject().put("path", v.path()).put("message", v.message())));
      json.put("violations", array);
    }
    return json;
  }

  /**
   * Reads what {@link #toJson()} wrote (and older or newer versions of it: unknown fields are
   * ignored, missing optional ones become null or empty).
   *
   * @throws IllegalArgumentException when requestId or status is missing or malformed
   */
  public static ResultEvent fromJson(JsonObject json) {
    try {
      return read(json);
    } catch (ClassCastException | java.time.format.DateTimeParseException e) {
      throw new IllegalArgumentException("malformed result event: " + e.getMessage(), e);
    }
  }

  private static ResultEvent read(JsonObject json) {
    String requestId = json.getString("requestId");
    String status = json.getString("status");
    if (requestId == null || status == null) {
      throw new IllegalArgumentException("a result event needs requestId and status");
    }
    Number credits = json.getNumber("creditsConsumed");
    return new ResultEvent(
        requestId,
        ResultStatus.valueOf(status),
        json.getString("model"),
        json.getString("taskId"),
        strings(json.getJsonArray("resultUrls")),
        ResultError.fromJson(json.getJsonObject("error")),
        json.getInteger("attempts", 0),
        credits == null ? null : credits.doubleValue(),
        Timings.fromJson(json.getJsonObject("timings")),
        stringMap(json.getJsonObject("metadata")),
        violations(json.getJsonArray("violations")));
  }

  /** 18.0 is written as 18, as in the contract's example. */
  private static Number credits(Double value) {
    if (value == null) {
      return null;
    }
    boolean whole = value == Math.rint(value) && !value.isInfinite() && Math.abs(value) < 1e15;
    return whole ? (Number) value.longValue() : value;
  }

  private static List<String> strings(JsonArray array) {
    return array == null ? List.of() : array.stream().map(String::valueOf).toList();
  }

  private static Map<String, String> stringMap(JsonObject json) {
    Map<String, String> map = new LinkedHashMap<>();
    if (json != null) {
      json.forEach(e -> map.put(e.getKey(), e.getValue() == null ? null : String.valueOf(e.getValue())));
    }
    return map;
  }

  private static List<Violation> violations(JsonArray array) {
    if (array == null) {
      return List.of();
    }
    return array.stream()
        .map(JsonObject.class::cast)
        .map(v -> new Violation(v.getString("path"), v.getString("message")))
        .toList();
  }
}
