package io.kieworker.request;

import static org.assertj.core.api.Assertions.assertThat;

import io.kieworker.model.ModelRegistry;
import io.kieworker.model.Violation;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The cancel message on the request topic, {@code {"requestId": "<id>", "action": "cancel"}} (issue 10). */
@Tag("unit")
class CancelMessageTest {
  private static final String FALLBACK = "kie.generation.requests-2-9";
  private final RequestParser parser = new RequestParser(ModelRegistry.builtIn(), 100_000);

  private ParseOutcome parse(JsonObject json) {
    return parser.parse("kie.generation.requests", 2, 9L, json.encode().getBytes(StandardCharsets.UTF_8));
  }

  private static JsonObject cancel() {
    return new JsonObject().put("requestId", "order-42").put("action", "cancel");
  }

  private void assertRejectedCancel(JsonObject json, String path, String... messageParts) {
    ParseOutcome outcome = parse(json);
    assertThat(outcome.isCancel()).isTrue();
    assertThat(outcome.accepted()).isFalse();
    assertThat(outcome.cancel()).isNull();
    assertThat(outcome.request()).isNull();
    assertThat(outcome.reason()).isEqualTo(RejectReason.INVALID);
    assertThat(outcome.detail()).startsWith("cancel INVALID: ");
    assertThat(outcome.violations()).as("violations %s", outcome.violations())
        .filteredOn(v -> v.path().equals(path))
        .singleElement()
        .satisfies(v -> assertThat(v.message()).contains(messageParts));
  }

  @Test
  void aCancelIsAcceptedAndToldApart() {
    ParseOutcome outcome = parse(cancel());

    assertThat(outcome.isCancel()).isTrue();
    assertThat(outcome.accepted()).isTrue();
    assertThat(outcome.request()).isNull();
    assertThat(outcome.reason()).isNull();
    assertThat(outcome.violations()).isEmpty();
    assertThat(outcome.cancel()).isEqualTo(new CancelRequest("order-42", Map.of()));
    assertThat(outcome.requestId()).isEqualTo("order-42");
  }

  @Test
  void aCancelMayCarryMetadata() {
    ParseOutcome outcome = parse(cancel().put("metadata", new JsonObject().put("by", "user-7")));

    assertThat(outcome.cancel().metadata()).containsExactly(Map.entry("by", "user-7"));
  }

  @Test
  void aRequestIsNotACancel() {
    JsonObject request = new JsonObject().put("model", "nano-banana-pro").put("input", new JsonObject().put("prompt", "x"));

    assertThat(parse(request).isCancel()).isFalse();
    assertThat(parse(new JsonObject().put("model", 5)).isCancel()).isFalse();
  }

  @Test
  void aCancelNeedsTheRequestId() {
    JsonObject json = new JsonObject().put("action", "cancel");
    assertRejectedCancel(json, "requestId", "is required in a cancel message");
    assertThat(parse(json).requestId()).isEqualTo(FALLBACK);
    assertRejectedCancel(cancel().putNull("requestId"), "requestId", "is required");
  }

  @Test
  void aCancelsRequestIdFollowsTheRequestRules() {
    assertRejectedCancel(cancel().put("requestId", "a/b"), "requestId", "must not contain '/'");
    assertRejectedCancel(cancel().put("requestId", 42), "requestId", "must be a string, got a number");
    assertRejectedCancel(cancel().put("requestId", " "), "requestId", "must not be blank");
    assertRejectedCancel(cancel().put("requestId", "x".repeat(201)), "requestId", "at most 200 characters");
    assertThat(parse(cancel().put("requestId", "a/b")).requestId()).isEqualTo(FALLBACK);
  }

  @Test
  void theActionMustBeExactlyCancel() {
    assertRejectedCancel(cancel().put("action", "Cancel"), "action", "must be \"cancel\"", "got \"Cancel\"");
    assertRejectedCancel(cancel().put("action", "delete"), "action", "got \"delete\"");
    assertRejectedCancel(cancel().put("action", " cancel"), "action", "got \" cancel\"");
    assertRejectedCancel(cancel().put("action", true), "action", "got a boolean");
    assertRejectedCancel(cancel().putNull("action"), "action", "got null");
  }

  @Test
  void aRequestWithAnActionIsARejectedCancelNeverACreate() {
    JsonObject json = cancel().put("model", "nano-banana-pro").put("input", new JsonObject().put("prompt", "x"));

    ParseOutcome outcome = parse(json);

    assertThat(outcome.isCancel()).isTrue();
    assertThat(outcome.accepted()).isFalse();
    assertThat(outcome.violations()).extracting(Violation::path).containsExactly("model", "input");
    assertThat(outcome.violations().get(0).message()).contains("not allowed in a cancel message",
        "allowed: requestId, action, metadata");
  }

  @Test
  void aCancelWithBadMetadataIsRejected() {
    assertRejectedCancel(cancel().put("metadata", "x"), "metadata", "must be an object of strings");
    assertRejectedCancel(cancel().put("metadata", new JsonObject().put("n", 1)), "metadata.n", "must be a string");
  }

  @Test
  void manyUnknownKeysAreNamedUpToTenThenCounted() {
    JsonObject json = cancel();
    for (int i = 0; i < 1_000; i++) {
      json.put("k" + i, i);
    }
    json.put("long-" + "k".repeat(5_000), 1);

    ParseOutcome outcome = parse(json);

    assertThat(outcome.isCancel()).isTrue();
    assertThat(outcome.violations()).hasSize(11);
    assertThat(outcome.violations().get(10)).isEqualTo(new Violation("(keys)",
        "991 more keys are not allowed in a cancel message"));
    assertThat(outcome.detail()).hasSizeLessThanOrEqualTo(ParseOutcome.MAX_DETAIL + "cancel ".length());
  }

  @Test
  void aControlCharacterInAnUnknownKeyNeverReachesThePath() {
    ParseOutcome outcome = parse(cancel().put("a\nb", 1));

    assertThat(outcome.violations()).extracting(Violation::path).containsExactly("a b");
  }

  @Test
  void anUnparseableValueIsNeverACancel() {
    ParseOutcome outcome = parser.parse("t", 0, 1L, "{\"action\":\"cancel\"".getBytes(StandardCharsets.UTF_8));

    assertThat(outcome.isCancel()).isFalse();
    assertThat(outcome.reason()).isEqualTo(RejectReason.UNPARSEABLE);
  }
}
