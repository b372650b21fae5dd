package io.kieworker.request;

import static org.assertj.core.api.Assertions.assertThat;

import io.kieworker.model.ModelRegistry;
import io.kieworker.model.Violation;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RequestParserTest {
  private static final String DESIGN_EXAMPLE = """
      {
        "requestId": "order-42-img-1",
        "model": "nano-banana-pro",
        "input": { "prompt": "a red fox", "image_input": [], "aspect_ratio": "16:9", "resolution": "2K", "output_format": "png" },
        "metadata": { "tenant": "acme", "orderId": "42" },
        "endpoint": "market"
      }
      """;

  private final RequestParser parser = new RequestParser(ModelRegistry.builtIn(), 10_000);

  private ParseOutcome parse(String json) {
    return parser.parse("kie.generation.requests", 3, 17L, json.getBytes(StandardCharsets.UTF_8));
  }

  private static JsonObject valid() {
    return new JsonObject().put("model", "nano-banana-pro").put("input", new JsonObject().put("prompt", "a fox"));
  }

  @Test
  void acceptsTheDesignExample() {
    ParseOutcome outcome = parse(DESIGN_EXAMPLE);

    assertThat(outcome.accepted()).isTrue();
    assertThat(outcome.reason()).isNull();
    assertThat(outcome.violations()).isEmpty();
    GenerationRequest request = outcome.request();
    assertThat(request.requestId()).isEqualTo("order-42-img-1");
    assertThat(request.model()).isEqualTo("nano-banana-pro");
    assertThat(request.endpoint()).isEqualTo(Endpoint.MARKET);
    assertThat(request.input().getString("aspect_ratio")).isEqualTo("16:9");
    assertThat(request.input().getJsonArray("image_input")).isEmpty();
    assertThat(request.metadata()).containsExactly(Map.entry("tenant", "acme"), Map.entry("orderId", "42"));
    assertThat(outcome.requestId()).isEqualTo("order-42-img-1");
    assertThat(outcome.detail()).contains("nano-banana-pro").doesNotContain("a red fox");
  }

  @Test
  void endpointDefaultsToMarket() {
    assertThat(parse(valid().encode()).request().endpoint()).isEqualTo(Endpoint.MARKET);
  }

  @Test
  void requestIdFallsBackToTopicPartitionOffset() {
    ParseOutcome outcome = parse(valid().encode());

    assertThat(outcome.requestId()).isEqualTo("kie.generation.requests-3-17");
    assertThat(outcome.request().requestId()).isEqualTo("kie.generation.requests-3-17");
  }

  @Test
  void nullRequestIdAlsoFallsBack() {
    ParseOutcome outcome = parse(valid().putNull("requestId").encode());

    assertThat(outcome.accepted()).isTrue();
    assertThat(outcome.requestId()).isEqualTo("kie.generation.requests-3-17");
  }

  @Test
  void metadataPassesThroughUnchanged() {
    JsonObject json = valid().put("metadata", new JsonObject().put("tenant", "acme").put("note", "ä ✓ \"q\""));

    assertThat(parse(json.encode()).request().metadata())
        .containsExactly(Map.entry("tenant", "acme"), Map.entry("note", "ä ✓ \"q\""));
  }

  @Test
  void unknownTopLevelFieldsAreAllowed() {
    assertThat(parse(valid().put("traceNote", 5).encode()).accepted()).isTrue();
  }

  @Test
  void acceptsALegacyRequest() {
    JsonObject json = new JsonObject().put("model", "google/nano-banana").put("endpoint", "legacy")
        .put("input", new JsonObject().put("prompt", "a fox").put("width", 512).put("steps", 30));

    ParseOutcome outcome = parse(json.encode());

    assertThat(outcome.violations()).isEmpty();
    assertThat(outcome.request().endpoint()).isEqualTo(Endpoint.LEGACY);
    assertThat(outcome.request().input().containsKey("model")).isFalse();
  }

  @Test
  void missingModel() {
    ParseOutcome outcome = parse(new JsonObject().put("input", new JsonObject().put("prompt", "x")).encode());

    assertInvalid(outcome, "model", "is required");
    assertThat(outcome.model()).isNull();
  }

  @Test
  void modelNotAString() {
    assertInvalid(parse(valid().put("model", 7).encode()), "model", "must be a string, got a number");
  }

  @Test
  void unknownModel() {
    ParseOutcome outcome = parse(valid().put("model", "dall-e").encode());

    assertInvalid(outcome, "model", "unknown model");
    assertThat(outcome.model()).isEqualTo("dall-e");
  }

  @Test
  void missingInput() {
    JsonObject json = valid();
    json.remove("input");
    assertInvalid(parse(json.encode()), "input", "is required");
  }

  @Test
  void inputNotAnObject() {
    assertInvalid(parse(valid().put("input", "a fox").encode()), "input", "must be a JSON object, got a string");
  }

  @Test
  void metadataNotAnObject() {
    assertInvalid(parse(valid().put("metadata", "acme").encode()), "metadata", "must be an object of strings");
  }

  @Test
  void metadataValueNotAString() {
    JsonObject json = valid().put("metadata", new JsonObject().put("tenant", "acme").put("orderId", 42));

    ParseOutcome outcome = parse(json.encode());

    assertInvalid(outcome, "metadata.orderId", "must be a string, got a number");
    assertThat(outcome.metadata()).containsExactly(Map.entry("tenant", "acme"));
  }

  @Test
  void endpointNotKnown() {
    assertInvalid(parse(valid().put("endpoint", "fast").encode()), "endpoint", "must be \"market\" or \"legacy\"");
  }

  @Test
  void endpointNotAString() {
    assertInvalid(parse(valid().put("endpoint", true).encode()), "endpoint", "got a boolean");
  }

  @Test
  void marketInputBreaksTheModelSchema() {
    JsonObject json = valid().put("input", new JsonObject().put("prompt", "x").put("resolution", "8K"));

    assertInvalid(parse(json.encode()), "input.resolution", "");
  }

  @Test
  void legacyInputPathsArePrefixedWithInput() {
    JsonObject json = new JsonObject().put("model", "google/nano-banana").put("endpoint", "legacy")
        .put("input", new JsonObject().put("steps", 5));

    ParseOutcome outcome = parse(json.encode());

    assertThat(outcome.reason()).isEqualTo(RejectReason.INVALID);
    assertThat(outcome.violations()).extracting(Violation::path).contains("input.prompt", "input.steps")
        .allMatch(p -> p.startsWith("input."));
  }

  @Test
  void legacyRejectsAMarketOnlyModelAtPathModel() {
    JsonObject json = valid().put("endpoint", "legacy");

    assertInvalid(parse(json.encode()), "model", "");
  }

  @Test
  void requestIdNotAString() {
    ParseOutcome outcome = parse(valid().put("requestId", 42).encode());

    assertInvalid(outcome, "requestId", "must be a string");
    assertThat(outcome.requestId()).isEqualTo("kie.generation.requests-3-17");
  }

  @Test
  void requestIdBlank() {
    assertInvalid(parse(valid().put("requestId", "  ").encode()), "requestId", "must not be blank");
  }

  @Test
  void requestIdTooLong() {
    ParseOutcome outcome = parse(valid().put("requestId", "r".repeat(201)).encode());

    assertInvalid(outcome, "requestId", "at most 200 characters");
    assertThat(outcome.requestId()).isEqualTo("kie.generation.requests-3-17");
  }

  @Test
  void requestIdOf200CharactersIsFine() {
    assertThat(parse(valid().put("requestId", "r".repeat(200)).encode()).requestId()).hasSize(200);
  }

  @Test
  void requestIdWithControlCharacters() {
    assertInvalid(parse(valid().put("requestId", "a\nb").encode()), "requestId", "control characters");
  }

  @Test
  void requestIdThatBreaksTheCallbackUrlIsRejectedAndTheResultUsesTheDerivedId() {
    ParseOutcome outcome = parse(valid().put("requestId", "tenant/../order").encode());

    assertInvalid(outcome, "requestId", "must not contain '/'");
    assertThat(outcome.requestId()).isEqualTo("kie.generation.requests-3-17");
  }

  @Test
  void requestIdInAnotherScriptIsAccepted() {
    assertThat(parse(valid().put("requestId", "order-张三").encode()).request().requestId()).isEqualTo("order-张三");
  }

  @Test
  void listsEveryProblem() {
    JsonObject json = new JsonObject().put("requestId", "r-1").put("model", 1).put("input", "x")
        .put("endpoint", "fast").put("metadata", new JsonObject().put("tenant", "acme"));

    ParseOutcome outcome = parse(json.encode());

    assertThat(outcome.reason()).isEqualTo(RejectReason.INVALID);
    assertThat(outcome.violations()).extracting(Violation::path).containsExactly("model", "endpoint", "input");
    assertThat(outcome.requestId()).isEqualTo("r-1");
    assertThat(outcome.metadata()).containsEntry("tenant", "acme");
    assertThat(outcome.detail()).startsWith("INVALID: 3 violations: model: must be a string");
  }

  @Test
  void unknownModelIsReportedEvenWhenInputIsMissing() {
    ParseOutcome outcome = parse(new JsonObject().put("model", "dall-e").encode());

    assertThat(outcome.violations()).extracting(Violation::path).containsExactlyInAnyOrder("model", "input");
  }

  @Test
  void invalidOutcomeCarriesWhatCouldBeRead() {
    JsonObject json = valid().put("requestId", "r-9").put("metadata", new JsonObject().put("tenant", "acme"))
        .put("input", new JsonObject());

    ParseOutcome outcome = parse(json.encode());

    assertThat(outcome.accepted()).isFalse();
    assertThat(outcome.request()).isNull();
    assertThat(outcome.requestId()).isEqualTo("r-9");
    assertThat(outcome.model()).isEqualTo("nano-banana-pro");
    assertThat(outcome.metadata()).containsEntry("tenant", "acme");
    assertThat(outcome.violations()).extracting(Violation::path).containsExactly("input.prompt");
  }

  @Test
  void garbageBytesAreUnparseable() {
    byte[] garbage = {(byte) 0xC3, (byte) 0x28, (byte) 0xFF, 0x00};
    assertUnparseable(parser.parse("t", 0, 5L, garbage), "t-0-5", "not valid UTF-8");
  }

  @Test
  void invalidJsonIsUnparseableWithJacksonsReasonAndPosition() {
    ParseOutcome outcome = parser.parse("t", 1, 2L, "{ x".getBytes(StandardCharsets.UTF_8));

    assertUnparseable(outcome, "t-1-2", "value is not valid JSON: Unexpected character ('x')");
    assertThat(outcome.violations().get(0).message()).contains("at line 1 column 3").doesNotContain("code 120");
  }

  @Test
  void trailingGarbageIsUnparseable() {
    assertUnparseable(parser.parse("t", 0, 0L, (valid().encode() + " }").getBytes(StandardCharsets.UTF_8)),
        "t-0-0", "not valid JSON");
  }

  @Test
  void arrayIsUnparseable() {
    assertUnparseable(parser.parse("t", 0, 1L, "[1,2]".getBytes(StandardCharsets.UTF_8)), "t-0-1",
        "value must be a JSON object, got an array");
  }

  @Test
  void stringIsUnparseable() {
    assertUnparseable(parser.parse("t", 0, 1L, "\"str\"".getBytes(StandardCharsets.UTF_8)), "t-0-1",
        "value must be a JSON object, got a string");
  }

  @Test
  void emptyIsUnparseable() {
    assertUnparseable(parser.parse("t", 0, 1L, new byte[0]), "t-0-1", "value is empty");
  }

  @Test
  void whitespaceIsUnparseable() {
    assertUnparseable(parser.parse("t", 0, 1L, "  \n".getBytes(StandardCharsets.UTF_8)), "t-0-1", "no JSON");
  }

  @Test
  void nullIsUnparseable() {
    assertUnparseable(parser.parse("t", 0, 1L, null), "t-0-1", "value is null");
  }

  @Test
  void tooBigIsUnparseable() {
    RequestParser small = new RequestParser(ModelRegistry.builtIn(), 64);
    byte[] value = valid().put("requestId", "r".repeat(100)).encode().getBytes(StandardCharsets.UTF_8);

    assertUnparseable(small.parse("t", 2, 9L, value), "t-2-9", "the limit is 64");
  }

  @Test
  void unparseableMessageIsCappedAndNeverHoldsThePayload() {
    String secretPrompt = "s3cr3t-".repeat(100);
    ParseOutcome outcome = parser.parse("t", 0, 0L, ("{\"prompt\": \"" + secretPrompt + "\" oops")
        .getBytes(StandardCharsets.UTF_8));

    assertThat(outcome.reason()).isEqualTo(RejectReason.UNPARSEABLE);
    assertThat(outcome.violations().get(0).message()).hasSizeLessThanOrEqualTo(200).doesNotContain("s3cr3t-s3cr3t");
    assertThat(outcome.detail()).doesNotContain("s3cr3t-s3cr3t");
  }

  @ParameterizedTest
  @ValueSource(strings = {"{", "}", "{\"model\":", "nul", "{\"a\":1,}", "{\"input\":{\"prompt\":\"\\ud800\"}}",
      "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["})
  void neverThrowsOnOddInput(String value) {
    ParseOutcome outcome = parser.parse("t", 0, 0L, value.getBytes(StandardCharsets.UTF_8));

    assertThat(outcome.requestId()).isNotBlank();
    assertThat(outcome.accepted()).isFalse();
  }

  @Test
  void deeplyNestedInputIsRejectedNotThrown() {
    String deep = "{\"model\":\"nano-banana-pro\",\"input\":" + "[".repeat(5000) + "]".repeat(5000) + "}";

    ParseOutcome outcome = parser.parse("t", 0, 0L, deep.getBytes(StandardCharsets.UTF_8));

    assertThat(outcome.accepted()).isFalse();
    assertThat(outcome.violations()).isNotEmpty();
  }

  private static void assertInvalid(ParseOutcome outcome, String path, String messagePart) {
    assertThat(outcome.accepted()).isFalse();
    assertThat(outcome.reason()).isEqualTo(RejectReason.INVALID);
    assertThat(outcome.violations()).as("violations %s", outcome.violations())
        .filteredOn(v -> v.path().equals(path))
        .singleElement()
        .satisfies(v -> assertThat(v.message()).contains(messagePart));
  }

  private static void assertUnparseable(ParseOutcome outcome, String requestId, String messagePart) {
    assertThat(outcome.accepted()).isFalse();
    assertThat(outcome.reason()).isEqualTo(RejectReason.UNPARSEABLE);
    assertThat(outcome.requestId()).isEqualTo(requestId);
    assertThat(outcome.model()).isNull();
    assertThat(outcome.metadata()).isEmpty();
    assertThat(outcome.violations()).singleElement().satisfies(v -> {
      assertThat(v.path()).isEqualTo("$");
      assertThat(v.message()).contains(messagePart).hasSizeLessThanOrEqualTo(200);
    });
    assertThat(outcome.detail()).startsWith("UNPARSEABLE: $: ");
  }
}
