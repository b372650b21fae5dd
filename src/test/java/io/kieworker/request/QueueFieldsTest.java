package io.kieworker.request;

import static org.assertj.core.api.Assertions.assertThat;

import io.kieworker.model.ModelRegistry;
import io.kieworker.queue.Priority;
import io.kieworker.queue.Tenants;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The request fields that order the create queue: priority, tenant, expiresAt (issue 10). */
@Tag("unit")
class QueueFieldsTest {
  private final RequestParser parser = new RequestParser(ModelRegistry.builtIn(), 100_000);

  private ParseOutcome parse(JsonObject json) {
    return parser.parse("kie.generation.requests", 0, 5L, json.encode().getBytes(StandardCharsets.UTF_8));
  }

  private static JsonObject valid() {
    return new JsonObject().put("requestId", "r-1").put("model", "nano-banana-pro")
        .put("input", new JsonObject().put("prompt", "a fox"));
  }

  private GenerationRequest accepted(JsonObject json) {
    ParseOutcome outcome = parse(json);
    assertThat(outcome.violations()).isEmpty();
    assertThat(outcome.accepted()).isTrue();
    assertThat(outcome.isCancel()).isFalse();
    return outcome.request();
  }

  private void assertViolation(JsonObject json, String path, String... messageParts) {
    ParseOutcome outcome = parse(json);
    assertThat(outcome.accepted()).isFalse();
    assertThat(outcome.isCancel()).isFalse();
    assertThat(outcome.reason()).isEqualTo(RejectReason.INVALID);
    assertThat(outcome.requestId()).isEqualTo("r-1");
    assertThat(outcome.violations()).as("violations %s", outcome.violations())
        .singleElement()
        .satisfies(v -> {
          assertThat(v.path()).isEqualTo(path);
          assertThat(v.message()).contains(messageParts).hasSizeLessThan(400);
        });
  }

  @Test
  void withoutTheNewFieldsARequestIsNormalDefaultTenantNoExpiry() {
    GenerationRequest request = accepted(valid());

    assertThat(request.priority()).isEqualTo(Priority.NORMAL);
    assertThat(request.tenant()).isEqualTo(Tenants.DEFAULT).isEqualTo("default");
    assertThat(request.expiresAt()).isNull();
  }

  @Test
  void nullFieldsMeanAbsent() {
    GenerationRequest request = accepted(valid().putNull("priority").putNull("tenant").putNull("expiresAt"));

    assertThat(request.priority()).isEqualTo(Priority.NORMAL);
    assertThat(request.tenant()).isEqualTo("default");
    assertThat(request.expiresAt()).isNull();
  }

  @Test
  void everyPriorityIsRead() {
    assertThat(accepted(valid().put("priority", "high")).priority()).isEqualTo(Priority.HIGH);
    assertThat(accepted(valid().put("priority", "normal")).priority()).isEqualTo(Priority.NORMAL);
    assertThat(accepted(valid().put("priority", "low")).priority()).isEqualTo(Priority.LOW);
  }

  @Test
  void anOtherPriorityNamesTheAllowedValues() {
    assertViolation(valid().put("priority", "urgent"), "priority",
        "must be one of \"high\", \"normal\", \"low\"", "got \"urgent\"");
    assertViolation(valid().put("priority", "HIGH"), "priority", "got \"HIGH\"");
    assertViolation(valid().put("priority", ""), "priority", "got \"\"");
  }

  @Test
  void aPriorityOfAnotherTypeIsRejected() {
    assertViolation(valid().put("priority", 1), "priority", "\"high\", \"normal\", \"low\"", "got a number");
    assertViolation(valid().put("priority", new JsonArray().add("high")), "priority", "got an array");
    assertViolation(valid().put("priority", true), "priority", "got a boolean");
  }

  @Test
  void tenantFieldIsUsed() {
    assertThat(accepted(valid().put("tenant", "acme-eu_1.prod:svc@x")).tenant()).isEqualTo("acme-eu_1.prod:svc@x");
  }

  @Test
  void tenantFieldWinsOverMetadata() {
    JsonObject json = valid().put("tenant", "beta").put("metadata", new JsonObject().put("tenant", "acme"));

    GenerationRequest request = accepted(json);

    assertThat(request.tenant()).isEqualTo("beta");
    assertThat(request.metadata()).containsEntry("tenant", "acme");
  }

  @Test
  void withoutTheFieldMetadataTenantIsUsed() {
    assertThat(accepted(valid().put("metadata", new JsonObject().put("tenant", "acme"))).tenant()).isEqualTo("acme");
  }

  @Test
  void anOddMetadataTenantIsNeverARejectionButTheDefault() {
    for (String odd : new String[] {"", "acme corp", "a/b", "ü", "x".repeat(65), "a\u0000b"}) {
      GenerationRequest request = accepted(valid().put("metadata", new JsonObject().put("tenant", odd)));
      assertThat(request.tenant()).as(odd).isEqualTo("default");
      assertThat(request.metadata()).containsEntry("tenant", odd);
    }
  }

  @Test
  void tenantOf64CharactersIsFineOf65Not() {
    assertThat(accepted(valid().put("tenant", "t".repeat(64))).tenant()).hasSize(64);
    assertViolation(valid().put("tenant", "t".repeat(65)), "tenant", "at most 64 characters, got 65");
  }

  @Test
  void invalidTenantsNameTheRule() {
    assertViolation(valid().put("tenant", ""), "tenant", "must not be empty", "ASCII letters, digits and - _ . : @");
    assertViolation(valid().put("tenant", "acme corp"), "tenant", "must not contain whitespace", "at character 5");
    assertViolation(valid().put("tenant", "acme/eu"), "tenant", "must not contain '/'", "U+002F");
    assertViolation(valid().put("tenant", "zürich"), "tenant", "must not contain 'ü'");
    assertViolation(valid().put("tenant", 42), "tenant", "must be a string of 1–64 ASCII letters", "got a number");
  }

  @Test
  void anInvalidTenantFieldDoesNotFallBackToMetadata() {
    assertViolation(valid().put("tenant", "a b").put("metadata", new JsonObject().put("tenant", "acme")),
        "tenant", "whitespace");
  }

  @Test
  void expiresAtIsAnInstant() {
    assertThat(accepted(valid().put("expiresAt", "2026-12-01T15:00:00Z")).expiresAt())
        .isEqualTo(Instant.parse("2026-12-01T15:00:00Z"));
  }

  @Test
  void expiresAtWithAnOffsetOrFractionIsConverted() {
    assertThat(accepted(valid().put("expiresAt", "2026-12-01T17:00:00+02:00")).expiresAt())
        .isEqualTo(Instant.parse("2026-12-01T15:00:00Z"));
    assertThat(accepted(valid().put("expiresAt", "2026-12-01T15:00:00.250-01:30")).expiresAt())
        .isEqualTo(Instant.parse("2026-12-01T16:30:00.250Z"));
  }

  @Test
  void expiresAtInThePastIsValid() {
    assertThat(accepted(valid().put("expiresAt", "2001-01-01T00:00:00Z")).expiresAt())
        .isEqualTo(Instant.parse("2001-01-01T00:00:00Z"));
  }

  @Test
  void expiresAtWithoutAZoneOffsetIsRejected() {
    assertViolation(valid().put("expiresAt", "2026-12-01T15:00:00"), "expiresAt",
        "ISO-8601 instant with a zone offset", "got \"2026-12-01T15:00:00\"", "character 20");
  }

  @Test
  void unreadableExpiresAtIsRejected() {
    assertViolation(valid().put("expiresAt", "tomorrow"), "expiresAt", "like 2026-12-01T15:00:00Z", "got \"tomorrow\"");
    assertViolation(valid().put("expiresAt", "2026-12-01"), "expiresAt", "got \"2026-12-01\"");
    assertViolation(valid().put("expiresAt", "1764601200"), "expiresAt", "got \"1764601200\"");
  }

  @Test
  void anImpossibleDateSaysWhichField() {
    assertViolation(valid().put("expiresAt", "2026-13-01T00:00:00Z"), "expiresAt", "MonthOfYear");
    assertViolation(valid().put("expiresAt", "2026-02-30T00:00:00Z"), "expiresAt", "FEBRUARY 30");
  }

  @Test
  void expiresAtBeyondYear9999IsRejected() {
    assertViolation(valid().put("expiresAt", "+999999999-12-31T23:59:59Z"), "expiresAt", "year from 0001 to 9999");
  }

  @Test
  void expiresAtOver64CharactersIsRejectedWithoutQuotingIt() {
    String text = "2026-12-01T15:00:00.000000000" + "0".repeat(40) + "Z";
    ParseOutcome outcome = parse(valid().put("expiresAt", text));

    assertThat(outcome.violations()).singleElement().satisfies(v -> {
      assertThat(v.message()).contains("at most 64 characters", "got " + text.length()).doesNotContain(text);
    });
  }

  @Test
  void everyBadNewFieldIsListedTogether() {
    ParseOutcome outcome = parse(valid().put("priority", "top").put("tenant", "a b").put("expiresAt", 5));

    assertThat(outcome.violations()).extracting(v -> v.path()).containsExactly("priority", "tenant", "expiresAt");
  }

  /** Odd values from a hostile producer: each is one bounded, specific violation, never an exception. */
  @Test
  void hostileValuesAreSpecificBoundedViolations() {
    assertViolation(valid().put("tenant", "ac\u0007me"), "tenant", "must not contain a control character",
        "U+0007 at character 3");
    assertViolation(valid().put("tenant", "\u202Eemca"), "tenant", "invisible");
    assertViolation(valid().put("tenant", "t".repeat(10_240)), "tenant", "at most 64 characters, got 10240");
    assertViolation(valid().put("expiresAt", 1764601200), "expiresAt", "must be a string", "got a number");
    assertViolation(valid().put("expiresAt", new JsonObject()), "expiresAt", "got an object");
    assertViolation(valid().put("expiresAt", "2026-12-01T15:00:00Z\n{\"forged\":1}"), "expiresAt", "got \"");
    assertViolation(valid().put("priority", new JsonArray().add("high").add("low")), "priority", "got an array");
    assertViolation(valid().put("priority", "x".repeat(10_240)), "priority", "…\"");
    ParseOutcome outcome = parse(valid().put("expiresAt", "2026-12-01T15:00:00Z\n{\"forged\":1}"));
    assertThat(outcome.detail()).doesNotContain("\n");
  }

  @ParameterizedTest
  @ValueSource(strings = {"{\"model\":\"nano-banana-pro\",\"input\":{\"prompt\":\"x\"},\"tenant\":[[[]]]}",
      "{\"model\":\"nano-banana-pro\",\"input\":{\"prompt\":\"x\"},\"expiresAt\":1e999}",
      "{\"model\":\"nano-banana-pro\",\"input\":{\"prompt\":\"x\"},\"priority\":{\"high\":true}}",
      "{\"model\":\"nano-banana-pro\",\"input\":{\"prompt\":\"x\"},\"tenant\":\"\\ud800\"}"})
  void neverThrowsOnOddNewFields(String value) {
    ParseOutcome outcome = parser.parse("t", 0, 1L, value.getBytes(StandardCharsets.UTF_8));

    assertThat(outcome.accepted()).isFalse();
    assertThat(outcome.reason()).isEqualTo(RejectReason.INVALID);
  }
}
