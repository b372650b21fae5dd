package io.kieworker.result;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** EXPIRED and CANCELLED (issue 10): results of requests that were never created, nothing paid. */
@Tag("unit")
class UnpaidResultsTest {
  private static final Instant RECEIVED = Instant.parse("2026-12-01T14:00:00Z");
  private static final Map<String, String> METADATA = Map.of("tenant", "acme");

  @Test
  void expiredCarriesItsCodeAndNoTask() {
    ResultEvent event = ResultEvent.expired("order-1", "nano-banana-pro", METADATA,
        "not created before its expiresAt 2026-12-01T15:00:00Z", RECEIVED);

    assertThat(event.status()).isEqualTo(ResultStatus.EXPIRED);
    assertThat(event.error()).isEqualTo(new ResultError(ResultError.EXPIRED,
        "not created before its expiresAt 2026-12-01T15:00:00Z", false));
    assertUnpaid(event);
  }

  @Test
  void cancelledCarriesItsCodeAndNoTask() {
    ResultEvent event = ResultEvent.cancelled("order-1", "nano-banana-pro", METADATA,
        "cancelled before its create started", RECEIVED);

    assertThat(event.status()).isEqualTo(ResultStatus.CANCELLED);
    assertThat(event.error()).isEqualTo(new ResultError("CANCELLED", "cancelled before its create started", false));
    assertUnpaid(event);
  }

  private static void assertUnpaid(ResultEvent event) {
    assertThat(event.taskId()).isNull();
    assertThat(event.attempts()).isZero();
    assertThat(event.creditsConsumed()).isNull();
    assertThat(event.resultUrls()).isEmpty();
    assertThat(event.timings()).isEqualTo(new Timings(RECEIVED, null, null, null));
    assertThat(event.metadata()).isEqualTo(METADATA);
    assertThat(ResultEvent.fromJson(new JsonObject(event.toJson().encode()))).isEqualTo(event);
  }

  @Test
  void theCodesAreTheStatusNames() {
    assertThat(ResultError.EXPIRED).isEqualTo(ResultStatus.EXPIRED.name());
    assertThat(ResultError.CANCELLED).isEqualTo(ResultStatus.CANCELLED.name());
  }

  @Test
  void ceTypesNameTheNewStatuses() {
    assertThat(ResultStatus.EXPIRED.ceType()).isEqualTo("ai.kie.generation.expired");
    assertThat(ResultStatus.CANCELLED.ceType()).isEqualTo("ai.kie.generation.cancelled");
    ResultEvent event = ResultEvent.cancelled("order-1", null, Map.of(), "x", RECEIVED);
    assertThat(CloudEventHeaders.forResult(event, List.of()))
        .extracting(HeaderValue::name, HeaderValue::text)
        .contains(tuple("ce_type", "ai.kie.generation.cancelled"), tuple("ce_id", "order-1"));
  }

  @Test
  void theExistingStatusesKeepTheirNamesAndOrder() {
    assertThat(ResultStatus.values()).containsExactly(ResultStatus.SUCCEEDED, ResultStatus.FAILED,
        ResultStatus.REJECTED, ResultStatus.TIMED_OUT, ResultStatus.EXPIRED, ResultStatus.CANCELLED);
  }

  /** The message is cut like a rejection's, so these results stay within the result bound. */
  @Test
  void aLongMessageAndModelAreCut() {
    ResultEvent event = ResultEvent.expired("order-1", "m".repeat(10_000), Map.of(), "x".repeat(100_000), RECEIVED);

    assertThat(event.error().message()).hasSize(ResultEvent.MAX_REJECTION_MESSAGE).endsWith("…");
    assertThat(event.model()).hasSize(ResultEvent.MAX_VIOLATION_PATH);
    assertThat(event.toJson().encode().getBytes(StandardCharsets.UTF_8).length).isLessThan(3_000);
  }
}
