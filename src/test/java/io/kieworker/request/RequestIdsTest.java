package io.kieworker.request;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

@Tag("unit")
class RequestIdsTest {

  @ParameterizedTest
  @ValueSource(strings = {"order-42-img-1", "order-张三", "заказ_7", "a.b", "...", "a..b", "tenant:acme@2026+x=1,2~3",
      "नमस्ते", "x", "kie.generation.requests-3-17"})
  void acceptsLettersDigitsMarksAndSafePunctuation(String id) {
    assertThat(RequestIds.problem(id)).isNull();
  }

  @Test
  void acceptsTheLongestAllowedIdCountedInCharactersNotUtf16Units() {
    assertThat(RequestIds.problem("r".repeat(200))).isNull();
    assertThat(RequestIds.problem("张".repeat(200))).isNull();
    assertThat(RequestIds.problem("𝒜".repeat(200))).as("200 supplementary letters (400 UTF-16 units)").isNull();
  }

  @Test
  void rejectsLongerIds() {
    assertThat(RequestIds.problem("r".repeat(201))).isEqualTo("must be at most 200 characters, got 201");
  }

  @ParameterizedTest
  @ValueSource(strings = {".", ".."})
  void rejectsDotSegments(String id) {
    assertThat(RequestIds.problem(id)).startsWith("must not be \".\" or \"..\"");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "\t", "   "})
  void rejectsBlankIds(String id) {
    assertThat(RequestIds.problem(id)).startsWith("must not be blank");
  }

  static Stream<Arguments> badCharacters() {
    return Stream.of(
        Arguments.of("a\u0000b", "must not contain control characters (U+0000 at character 2)"),
        Arguments.of("a\nb", "must not contain control characters (U+000A at character 2)"),
        Arguments.of("a\u007fb", "must not contain control characters (U+007F at character 2)"),
        Arguments.of("a\u0085b", "must not contain control characters (U+0085 at character 2)"),
        Arguments.of("ab\u200b", "must not contain invisible, unassigned or private-use characters (U+200B at character 3)"),
        Arguments.of("ab\u202ec", "must not contain invisible, unassigned or private-use characters (U+202E at character 3)"),
        Arguments.of("a b", "must not contain whitespace (U+0020 at character 2)"),
        Arguments.of("a\u00a0b", "must not contain whitespace (U+00A0 at character 2)"),
        Arguments.of("a/b", "must not contain '/' (U+002F at character 2)"),
        Arguments.of("a\\b", "must not contain '\\' (U+005C at character 2)"),
        Arguments.of("a?b", "must not contain '?' (U+003F at character 2)"),
        Arguments.of("a#b", "must not contain '#' (U+0023 at character 2)"),
        Arguments.of("a%2Fb", "must not contain '%' (U+0025 at character 2)"),
        Arguments.of("a&b", "must not contain '&' (U+0026 at character 2)"),
        Arguments.of("a;b", "must not contain ';' (U+003B at character 2)"),
        Arguments.of("张/b", "must not contain '/' (U+002F at character 2)"));
  }

  @ParameterizedTest
  @MethodSource("badCharacters")
  void rejectsCharactersThatBreakUrlsOrCannotBeSeenNamingTheCharacterAndTheRule(String id, String expected) {
    assertThat(RequestIds.problem(id)).isEqualTo(expected + "; " + RequestIds.ALLOWED);
  }

  @Test
  void rejectsAnUnpairedSurrogate() {
    assertThat(RequestIds.problem("a\ud800")).startsWith("must not contain invisible, unassigned or private-use");
  }

  @Test
  void theRuleListsTheAllowedPunctuation() {
    assertThat(RequestIds.ALLOWED).endsWith("combining marks and - _ . : @ ~ + = ,");
  }
}
