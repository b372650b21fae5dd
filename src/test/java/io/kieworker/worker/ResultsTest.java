package io.kieworker.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class ResultsTest {

  private static JsonObject stored(String status, int attempts, String submittedAt, String completedAt) {
    return new JsonObject().put("requestId", "r-1").put("status", status).put("attempts", attempts)
        .put("timings", new JsonObject().put("submittedAt", submittedAt).put("completedAt", completedAt));
  }

  @Test
  void aFirstAttemptSuccessTellsItsDurationFromSubmissionToCompletion() {
    assertThat(Results.firstAttemptMillis(
        stored("SUCCEEDED", 1, "2026-11-30T10:00:00Z", "2026-11-30T10:00:42.500Z"))).isEqualTo(42_500);
  }

  @Test
  void resultsThatCannotTellTheModelsDurationTellNothing() {
    String at = "2026-11-30T10:00:00Z";
    String later = "2026-11-30T10:01:00Z";
    assertThat(Results.firstAttemptMillis(stored("FAILED", 1, at, later))).as("failed").isEqualTo(-1);
    assertThat(Results.firstAttemptMillis(stored("SUCCEEDED", 2, at, later))).as("resubmitted").isEqualTo(-1);
    assertThat(Results.firstAttemptMillis(stored("SUCCEEDED", 1, later, at))).as("clock skew").isEqualTo(-1);
    assertThat(Results.firstAttemptMillis(stored("SUCCEEDED", 1, null, later))).as("never submitted").isEqualTo(-1);
    assertThat(Results.firstAttemptMillis(stored("SUCCEEDED", 1, "yesterday", later))).as("malformed").isEqualTo(-1);
    assertThat(Results.firstAttemptMillis(new JsonObject().put("status", "SUCCEEDED").put("attempts", 1)))
        .as("no timings").isEqualTo(-1);
    assertThat(Results.firstAttemptMillis(null)).isEqualTo(-1);
  }
}
