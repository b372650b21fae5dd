package io.kieworker.result;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kieworker.model.Violation;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResultEventTest {
  private static final Instant T0 = Instant.parse("2025-12-08T07:23:45.768Z");
  private static final Map<String, String> METADATA = Map.of("tenant", "acme");

  private static ResultEvent succeeded() {
    return new ResultEvent("order-42-img-1", ResultStatus.SUCCEEDED, "nano-banana-pro",
        "task_nano-banana-pro_1765178625768", List.of("https://cdn.example/image.png"), null, 1, 18.0,
        new Timings(T0, T0.plusSeconds(1), T0.plusSeconds(40), T0.plusSeconds(41)), METADATA);
  }

  @Test
  void hasTheContractShape() {
    JsonObject json = succeeded().toJson();

    assertThat(json.fieldNames()).containsExactly("requestId", "status", "model", "taskId", "resultUrls",
        "error", "attempts", "creditsConsumed", "timings", "metadata");
    assertThat(json.getJsonObject("timings").fieldNames())
        .containsExactly("receivedAt", "submittedAt", "completedAt", "publishedAt");
    assertThat(json.encode()).contains("\"error\":null", "\"creditsConsumed\":18,", "\"status\":\"SUCCEEDED\"",
        "\"receivedAt\":\"2025-12-08T07:23:45.768Z\"", "\"resultUrls\":[\"https://cdn.example/image.png\"]",
        "\"metadata\":{\"tenant\":\"acme\"}");
  }

  @Test
  void writesNullTimingsAndEmptyUrls() {
    ResultEvent event = new ResultEvent("r", ResultStatus.TIMED_OUT, "m", "t", null,
        new ResultError(ResultError.DEADLINE, "no result in 15m", false), 2, null,
        new Timings(T0, null, null, null), null);

    JsonObject json = event.toJson();

    assertThat(json.getJsonArray("resultUrls")).isEmpty();
    assertThat(json.getJsonObject("metadata")).isEmpty();
    assertThat(json.getJsonObject("timings").encode()).contains("\"submittedAt\":null", "\"publishedAt\":null");
    assertThat(json.getValue("creditsConsumed")).isNull();
    assertThat(json.containsKey("creditsConsumed")).isTrue();
    assertThat(json.getJsonObject("error").encode())
        .isEqualTo("{\"code\":\"DEADLINE\",\"message\":\"no result in 15m\",\"retryable\":false}");
  }

  @Test
  void roundTrips() {
    ResultEvent event = succeeded();

    assertThat(ResultEvent.fromJson(new JsonObject(event.toJson().encode()))).isEqualTo(event);
  }

  @Test
  void roundTripsFractionalCreditsAndErrors() {
    ResultEvent event = new ResultEvent("r", ResultStatus.FAILED, "google/nano-banana", "t", List.of(),
        new ResultError("500", "internal error", true), 3, 2.5, Timings.NONE, Map.of("a", "b"));

    assertThat(ResultEvent.fromJson(new JsonObject(event.toJson().encode()))).isEqualTo(event);
  }

  @Test
  void rejectedJoinsTheViolations() {
    ResultEvent event = ResultEvent.rejected("r-1", "nano-banana-pro", METADATA,
        List.of(new Violation("input.prompt", "is required"), new Violation("model", "unknown model \"x\"")), T0);

    assertThat(event.status()).isEqualTo(ResultStatus.REJECTED);
    assertThat(event.error()).isEqualTo(
        new ResultError("VALIDATION", "input.prompt: is required; model: unknown model \"x\"", false));
    assertThat(event.attempts()).isZero();
    assertThat(event.taskId()).isNull();
    assertThat(event.timings()).isEqualTo(new Timings(T0, null, null, null));
    assertThat(event.metadata()).isEqualTo(METADATA);
    JsonObject json = event.toJson();
    assertThat(json.getJsonArray("violations").encode()).isEqualTo(
        "[{\"path\":\"input.prompt\",\"message\":\"is required\"},{\"path\":\"model\",\"message\":\"unknown model \\\"x\\\"\"}]");
    assertThat(ResultEvent.fromJson(json)).isEqualTo(event);
  }

  @Test
  void rejectedUnparseableUsesItsOwnCode() {
    ResultEvent event = ResultEvent.rejected("t-0-1", null, Map.of(),
        List.of(new Violation("$", "value is empty")), T0);

    assertThat(event.error().code()).isEqualTo("UNPARSEABLE");
    assertThat(event.error().message()).isEqualTo("$: value is empty");
  }

  @Test
  void withPublishedAtKeepsTheOtherTimings() {
    Instant published = T0.plusSeconds(99);

    ResultEvent event = succeeded().withPublishedAt(published);

    assertThat(event.timings()).isEqualTo(new Timings(T0, T0.plusSeconds(1), T0.plusSeconds(40), published));
    assertThat(event.withPublishedAt(published)).isEqualTo(event);
  }

  @Test
  void fromJsonIgnoresUnknownFieldsAndFillsMissingOnes() {
    JsonObject json = new JsonObject().put("requestId", "r").put("status", "FAILED").put("futureField", 1);

    ResultEvent event = ResultEvent.fromJson(json);

    assertThat(event.resultUrls()).isEmpty();
    assertThat(event.metadata()).isEmpty();
    assertThat(event.timings()).isEqualTo(Timings.NONE);
    assertThat(event.attempts()).isZero();
  }

  @Test
  void fromJsonRefusesAnEventWithoutStatus() {
    assertThatThrownBy(() -> ResultEvent.fromJson(new JsonObject().put("requestId", "r")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void ceTypeNamesTheStatus() {
    assertThat(ResultStatus.TIMED_OUT.ceType()).isEqualTo("ai.kie.generation.timed_out");
    assertThat(ResultStatus.SUCCEEDED.ceType()).isEqualTo("ai.kie.generation.succeeded");
  }
}
