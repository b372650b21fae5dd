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
 * results, written as {@code "violations": [{path, message}]} only when not empty; it holds at most
 * {@value #MAX_VIOLATIONS} entries (path cut to {@value #MAX_VIOLATION_PATH}, message to
 * {@value #MAX_VIOLATION_MESSAGE} characters), and {@code violationsOmitted} counts the rest. With
 * the 2,000-character error message that bounds the rejection part of a result to about 40 KB.
 * {@code store} is the optional result-store outcome of a SUCCEEDED result ({@code storedUrls},
 * {@code stored}, {@code storeError}: issue 13); null when the store is off.
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
    List<Violation> violations,
    int violationsOmitted,
    StoredCopy store) {

  static final int MAX_REJECTION_MESSAGE = 2000;
  public static final int MAX_VIOLATIONS = 50;
  static final int MAX_VIOLATION_PATH = 200;
  static final int MAX_VIOLATION_MESSAGE = 500;

  public ResultEvent {
    Objects.requireNonNull(requestId, "requestId");
    Objects.requireNonNull(status, "status");
    resultUrls = resultUrls == null ? List.of() : List.copyOf(resultUrls);
    timings = timings == null ? Timings.NONE : timings;
    metadata = metadata == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    List<Violation> all = violations == null ? List.of() : violations;
    violationsOmitted = Math.max(0, violationsOmitted) + Math.max(0, all.size() - MAX_VIOLATIONS);
    violations = all.stream().limit(MAX_VIOLATIONS).map(ResultEvent::bounded).toList();
  }

  public ResultEvent(String requestId, ResultStatus status, String model, String taskId,
      List<String> resultUrls, ResultError error, int attempts, Double creditsConsumed,
      Timings timings, Map<String, String> metadata) {
    this(requestId, status, model, taskId, resultUrls, error, attempts, creditsConsumed, timings,
        metadata, List.of(), 0);
  }

  public ResultEvent(String requestId, ResultStatus status, String model, String taskId,
      List<String> resultUrls, ResultError error, int attempts, Double creditsConsumed,
      Timings timings, Map<String, String> metadata, List<Violation> violations) {
    this(requestId, status, model, taskId, resultUrls, error, attempts, creditsConsumed, timings,
        metadata, violations, 0);
  }

  public ResultEvent(String requestId, ResultStatus status, String model, String taskId,
      List<String> resultUrls, ResultError error, int attempts, Double creditsConsumed,
      Timings timings, Map<String, String> metadata, List<Violation> violations, int violationsOmitted) {
    this(requestId, status, model, taskId, resultUrls, error, attempts, creditsConsumed, timings,
        metadata, violations, violationsOmitted, null);
  }

  /** This result with the result store's outcome (issue 13). */
  public ResultEvent withStore(StoredCopy copy) {
    return new ResultEvent(requestId, status, model, taskId, resultUrls, error, attempts,
        creditsConsumed, timings, metadata, violations, violationsOmitted, copy);
  }

  private static Violation bounded(Violation v) {
    return new Violation(cut(v.path(), MAX_VIOLATION_PATH), cut(v.message(), MAX_VIOLATION_MESSAGE));
  }

  private static String cut(String text, int max) {
    return text == null || text.length() <= max ? text : text.substring(0, max - 1) + "…";
  }

  /**
   * A REJECTED result with a worker code and one sentence, e.g. {@link ResultError#TOO_LARGE}
   * or {@link ResultError#INTERNAL}; no paid call was made.
   */
  public static ResultEvent rejected(String requestId, String model, Map<String, String> metadata,
      String code, String message, Instant receivedAt) {
    return unpaid(requestId, ResultStatus.REJECTED, code, model, metadata, message, receivedAt);
  }

  /**
   * An EXPIRED result (code {@link ResultError#EXPIRED}, not retryable): the request's create had
   * not started by its {@code expiresAt} or {@code WORKER_MAX_QUEUE_TIME}; no paid call was made.
   */
  public static ResultEvent expired(String requestId, String model, Map<String, String> metadata,
      String message, Instant receivedAt) {
    return unpaid(requestId, ResultStatus.EXPIRED, ResultError.EXPIRED, model, metadata, message, receivedAt);
  }

  /**
   * A CANCELLED result (code {@link ResultError#CANCELLED}, not retryable): a cancel message ended
   * the request before its create started; no paid call was made.
   */
  public static ResultEvent cancelled(String requestId, String model, Map<String, String> metadata,
      String message, Instant receivedAt) {
    return unpaid(requestId, ResultStatus.CANCELLED, ResultError.CANCELLED, model, metadata, message, receivedAt);
  }

  /** A result of a request for which no paid call was made: no task, no attempts, received only. */
  private static ResultEvent unpaid(String requestId, ResultStatus status, String code, String model,
      Map<String, String> metadata, String message, Instant receivedAt) {
    return new ResultEvent(requestId, status, cut(model, MAX_VIOLATION_PATH), null, List.of(),
        new ResultError(code, cut(message, MAX_REJECTION_MESSAGE), false), 0, null,
        new Timings(receivedAt, null, null, null), metadata, List.of(), 0);
  }

  /** The same result without metadata and violations: what is left when the full one cannot be written. */
  public ResultEvent withoutExtras() {
    return new ResultEvent(requestId, status, cut(model, MAX_VIOLATION_PATH), taskId, resultUrls, error,
        attempts, creditsConsumed, timings, Map.of(), List.of(), violationsOmitted + violations.size(), store);
  }

  /**
   * A REJECTED result: no paid call was made. The code is UNPARSEABLE when a violation is about the
   * whole value (path {@code $}), VALIDATION otherwise; the message joins every violation.
   */
  public static ResultEvent rejected(String requestId, String model, Map<String, String> metadata,
      List<Violation> violations, Instant receivedAt) {
    List<Violation> all = violations == null ? List.of() : violations;
    boolean unparseable = all.stream().anyMatch(v -> "$".equals(v.path()));
    String message = all.stream().limit(MAX_VIOLATIONS).map(Violation::toString)
        .collect(Collectors.joining("; "));
    if (message.length() > MAX_REJECTION_MESSAGE) {
      message = message.substring(0, MAX_REJECTION_MESSAGE - 1) + "…";
    }
    ResultError error = new ResultError(
        unparseable ? ResultError.UNPARSEABLE : ResultError.VALIDATION,
        message.isEmpty() ? "the request was rejected" : message,
        false);
    return new ResultEvent(requestId, ResultStatus.REJECTED, cut(model, MAX_VIOLATION_PATH), null, List.of(),
        error, 0, null, new Timings(receivedAt, null, null, null), metadata, all, 0);
  }

  public ResultEvent withPublishedAt(Instant at) {
    return new ResultEvent(requestId, status, model, taskId, resultUrls, error, attempts,
        creditsConsumed, timings.withPublishedAt(at), metadata, violations, violationsOmitted, store);
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
    if (violationsOmitted > 0) {
      json.put("violationsOmitted", violationsOmitted);
    }
    if (store != null) {
      store.writeTo(json);
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
        violations(json.getJsonArray("violations")),
        json.getInteger("violationsOmitted", 0),
        StoredCopy.readFrom(json));
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
