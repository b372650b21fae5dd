package io.kieworker.kie;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A task as Kie.ai reports it (recordInfo, the legacy record-info, or a callback's {@code data}).
 *
 * @param rawState Kie.ai's own word for the state ("generating", "successFlag=1"), kept for logs
 * @param param the create request Kie.ai stored (parsed from its JSON string), or null
 * @param resultUrls the generated images; empty until success
 * @param createTime epoch milliseconds, or null
 * @param completeTime epoch milliseconds, or null
 * @param updateTime epoch milliseconds of the last state change Kie.ai reports (Market records), or null
 * @param creditsConsumed credits charged, or null when Kie.ai did not say
 */
public record TaskRecord(
    String taskId,
    String model,
    TaskState state,
    String rawState,
    JsonObject param,
    List<String> resultUrls,
    String failCode,
    String failMsg,
    Long createTime,
    Long completeTime,
    Double creditsConsumed,
    Long updateTime) {

  /**
   * Kie.ai said success but named no image (empty or missing {@code resultJson.resultUrls}, or no
   * legacy {@code imageUrl}): nothing to deliver, so not a success for the requester.
   */
  public boolean succeededWithoutResults() {
    return state == TaskState.SUCCESS && resultUrls.isEmpty();
  }

  /** Generation time from Kie.ai's timestamps ({@code costTime}'s unit differs between sources). */
  public Duration generationTime() {
    if (createTime == null || completeTime == null || completeTime < createTime) {
      return null;
    }
    return Duration.ofMillis(completeTime - createTime);
  }

  /**
   * How long after its creation the task entered the state it is in, by Kie.ai's own clock
   * ({@code updateTime - createTime}), or -1 when a timestamp is missing or out of order.
   */
  public long stateEnteredAfter() {
    if (createTime == null || updateTime == null || updateTime < createTime) {
      return -1;
    }
    return updateTime - createTime;
  }

  /** Parses a Market record ({@code data} of recordInfo or of a Market callback). */
  public static TaskRecord fromMarket(JsonObject data) {
    String rawState = data.getString("state");
    return new TaskRecord(
        taskIdOf(data),
        text(data.getValue("model")),
        TaskState.parse(rawState),
        rawState,
        jsonStringOrObject(data.getValue("param")),
        resultUrlsOf(jsonStringOrObject(data.getValue("resultJson"))),
        text(data.getValue("failCode")),
        text(data.getValue("failMsg")),
        epochMillis(data.getValue("createTime")),
        epochMillis(data.getValue("completeTime")),
        number(data.getValue("creditsConsumed")),
        epochMillis(data.getValue("updateTime")));
  }

  /** Parses a legacy record (flat, or the {@code data} of a wrapped answer). */
  public static TaskRecord fromLegacy(JsonObject data) {
    Long flag = longOf(data.getValue("successFlag"));
    TaskState state = flag == null ? TaskState.UNKNOWN : TaskState.fromSuccessFlag(flag.intValue());
    List<String> urls = new ArrayList<>();
    String imageUrl = text(data.getValue("imageUrl"));
    if (imageUrl != null && !imageUrl.isBlank()) {
      urls.add(imageUrl);
    }
    String failCode = text(data.getValue("errorCode"));
    if (state == TaskState.FAIL && failCode == null) {
      failCode = flag == 3 ? "CREATE_FAILED" : "GENERATE_FAILED";
    }
    return new TaskRecord(
        taskIdOf(data),
        text(data.getValue("model")),
        state,
        "successFlag=" + flag,
        jsonStringOrObject(data.getValue("param")),
        List.copyOf(urls),
        failCode,
        text(data.getValue("errorMessage")),
        epochMillis(data.getValue("createTime")),
        epochMillis(data.getValue("completeTime")),
        number(data.getValue("creditsConsumed")),
        null);
  }

  /** The task id: {@code taskId}, or {@code task_id} as some callbacks spell it. */
  public static String taskIdOf(JsonObject data) {
    String id = text(data.getValue("taskId"));
    return id != null ? id : text(data.getValue("task_id"));
  }

  /** Kie.ai sends {@code param} and {@code resultJson} as JSON strings; tolerate objects too. */
  static JsonObject jsonStringOrObject(Object value) {
    if (value instanceof JsonObject) {
      return (JsonObject) value;
    }
    if (value instanceof String && !((String) value).isBlank()) {
      try {
        return new JsonObject((String) value);
      } catch (DecodeException | ClassCastException e) {
        return null;
      }
    }
    return null;
  }

  private static List<String> resultUrlsOf(JsonObject resultJson) {
    if (resultJson == null || !(resultJson.getValue("resultUrls") instanceof JsonArray)) {
      return List.of();
    }
    List<String> urls = new ArrayList<>();
    for (Object url : resultJson.getJsonArray("resultUrls")) {
      if (url instanceof String) {
        urls.add((String) url);
      }
    }
    return List.copyOf(urls);
  }

  private static String text(Object value) {
    return value == null ? null : value.toString();
  }

  private static Double number(Object value) {
    if (value instanceof Number) {
      return ((Number) value).doubleValue();
    }
    try {
      return value == null ? null : Double.valueOf(value.toString());
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static Long longOf(Object value) {
    Double d = number(value);
    return d == null ? null : d.longValue();
  }

  /** Epoch millis from a number, a numeric string, or an ISO-8601 instant (the legacy API). */
  private static Long epochMillis(Object value) {
    Long millis = longOf(value);
    if (millis != null || value == null) {
      return millis;
    }
    try {
      return java.time.Instant.parse(value.toString()).toEpochMilli();
    } catch (java.time.format.DateTimeParseException e) {
      return null;
    }
  }
}
