package io.kieworker.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion.VersionFlag;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class ModelRegistryTest {
  private static final ModelRegistry REGISTRY = ModelRegistry.builtIn();
  private static final String PNG_1PX = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"
      + "YPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";
  private static final String IMAGE = "https://file.aiquickdraw.com/custom-page/akr/section-images/"
      + "1756223420389w8xa2jfe.png";

  // --- the registry as data -------------------------------------------------------------------

  @Test
  void builtInKnowsTheNanoBananaFamily() {
    assertThat(REGISTRY.modelIds()).containsExactly("google/nano-banana", "google/nano-banana-edit",
        "nano-banana-pro", "nano-banana-2", "nano-banana-2-lite");
    assertThat(ModelRegistry.builtIn()).isSameAs(REGISTRY);
  }

  @ParameterizedTest
  @CsvSource(nullValues = "null", value = {
      "google/nano-banana,      null,        0,  5000,  0,        15, 4",
      "google/nano-banana-edit, image_urls,  10, 5000,  10485760, 20, 4",
      "nano-banana-pro,         image_input, 8,  10000, 31457280, 40, 18",
      "nano-banana-2,           image_input, 14, 20000, 31457280, 30, 8",
      "nano-banana-2-lite,      image_urls,  10, 20000, 10485760, 12, 3"})
  void specComesFromSchemaAndXKie(String id, String imageField, int maxImages, int maxPrompt,
      long maxBytes, long seconds, double credits) {
    ModelSpec spec = REGISTRY.find(id).orElseThrow();
    assertThat(spec.id()).isEqualTo(id);
    assertThat(spec.imageField()).isEqualTo(imageField);
    assertThat(spec.maxImages()).isEqualTo(maxImages);
    assertThat(spec.maxPromptLength()).isEqualTo(maxPrompt);
    assertThat(spec.maxImageBytes()).isEqualTo(maxBytes);
    assertThat(spec.expectedDuration()).isEqualTo(Duration.ofSeconds(seconds));
    assertThat(spec.credits()).isEqualTo(credits);
    assertThat(spec.schema().path("x-kie").path("model").asText()).isEqualTo(id);
    assertThat(spec.schema().path("$schema").asText())
        .isEqualTo("https://json-schema.org/draft/2020-12/schema");
  }

  @Test
  void findReturnsEmptyForUnknownOrNullModel() {
    assertThat(REGISTRY.find("dall-e-3")).isEmpty();
    assertThat(REGISTRY.find(null)).isEmpty();
  }

  @Test
  void addingAModelIsADataChange(@TempDir Path dir) throws IOException {
    for (String file : List.of("google-nano-banana.schema.json", "legacy-generate.schema.json")) {
      Files.writeString(dir.resolve(file), resource(file));
    }
    Files.writeString(dir.resolve("banana-xl.schema.json"), """
        {
          "$schema": "https://json-schema.org/draft/2020-12/schema",
          "type": "object",
          "properties": {
            "prompt": {"type": "string", "maxLength": 300},
            "refs": {"type": "array", "maxItems": 2, "items": {"type": "string"}}
          },
          "required": ["prompt"],
          "additionalProperties": false,
          "x-kie": {"model": "banana-xl", "imageField": "refs", "maxImageBytes": 1000,
                    "expectedSeconds": 7, "credits": 1.5}
        }""");
    Files.writeString(dir.resolve("index.json"), """
        {"models": ["google-nano-banana.schema.json", "banana-xl.schema.json"],
         "legacy": "legacy-generate.schema.json"}""");

    ModelRegistry registry = ModelRegistry.load(dir);

    assertThat(registry.modelIds()).containsExactly("google/nano-banana", "banana-xl");
    ModelSpec spec = registry.find("banana-xl").orElseThrow();
    assertThat(spec.maxImages()).isEqualTo(2);
    assertThat(spec.maxPromptLength()).isEqualTo(300);
    assertThat(spec.expectedDuration()).isEqualTo(Duration.ofSeconds(7));
    assertThat(spec.credits()).isEqualTo(1.5);
    assertThat(registry.validateMarket("banana-xl",
        new JsonObject().put("prompt", "a cat").put("refs", new JsonArray().add(IMAGE)))).isEmpty();
    assertThat(registry.validateMarket("banana-xl", new JsonObject().put("prompt", "a cat")
        .put("refs", new JsonArray().add(IMAGE).add(IMAGE).add("http://x.test/a.png"))))
        .containsExactly(
            new Violation("input.refs", "holds 3 images; banana-xl allows at most 2"),
            new Violation("input.refs[2]", "must be an https:// URL or a data:image/...;base64, "
                + "URI; got \"http://x.test/a.png\""));
    assertThat(registry.validateMarket("banana-xl", new JsonObject().put("prompt",
        "x".repeat(301)))).containsExactly(
            new Violation("input.prompt", "is 301 characters long; banana-xl allows at most 300"));
    assertThat(REGISTRY.modelIds()).doesNotContain("banana-xl");
  }

  @Test
  void loadNamesTheBrokenFile(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("index.json"), "{\"models\": [\"nope.schema.json\"]}");
    assertThatThrownBy(() -> ModelRegistry.load(dir))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("nope.schema.json");

    Files.writeString(dir.resolve("nope.schema.json"), "{\"type\": \"object\", \"x-kie\": {}}");
    assertThatThrownBy(() -> ModelRegistry.load(dir))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("nope.schema.json: x-kie.model is missing");
  }

  @Test
  void indexListsEverySchemaFile() throws Exception {
    Path dir = Path.of(ModelRegistryTest.class.getClassLoader().getResource("models/index.json")
        .toURI()).getParent();
    JsonObject index = new JsonObject(Files.readString(dir.resolve("index.json")));
    List<String> listed = Stream.concat(index.getJsonArray("models").stream().map(String::valueOf),
        Stream.of(index.getString("legacy"))).sorted().toList();
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(f -> f.getFileName().toString())
          .filter(name -> name.endsWith(".schema.json")).sorted().toList())
          .isEqualTo(listed);
    }
  }

  @ParameterizedTest
  @CsvSource({
      "google-nano-banana.schema.json", "google-nano-banana-edit.schema.json",
      "nano-banana-pro.schema.json", "nano-banana-2.schema.json",
      "nano-banana-2-lite.schema.json", "legacy-generate.schema.json"})
  void schemaFileIsAValidDraft202012Schema(String file) throws IOException {
    JsonSchema metaSchema = JsonSchemaFactory.getInstance(VersionFlag.V202012)
        .getSchema(SchemaLocation.of("https://json-schema.org/draft/2020-12/schema"));
    JsonNode schema = new ObjectMapper().readTree(resource(file));
    assertThat(metaSchema.validate(schema)).isEmpty();
  }

  @ParameterizedTest
  @MethodSource("modelIds")
  void everyDefaultSatisfiesItsOwnSchema(String model) {
    JsonObject input = validInput(model);
    REGISTRY.find(model).orElseThrow().schema().path("properties").properties().forEach(field -> {
      JsonNode fallback = field.getValue().get("default");
      if (fallback != null) {
        input.put(field.getKey(), new JsonObject("{\"v\":" + fallback + "}").getValue("v"));
      }
    });
    assertThat(input.size()).isGreaterThan(2);
    assertThat(REGISTRY.validateMarket(model, input)).isEmpty();
  }

  static Stream<String> modelIds() {
    return REGISTRY.modelIds().stream();
  }

  @Test
  void validatesFromManyThreadsAtOnce() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<List<Violation>>> results = new ArrayList<>();
      for (int i = 0; i < 400; i++) {
        JsonObject input = validInput("nano-banana-pro").put("aspect_ratio", i % 2 == 0 ? "16:9" : "7:5");
        results.add(pool.submit(() -> REGISTRY.validateMarket("nano-banana-pro", input)));
      }
      for (int i = 0; i < results.size(); i++) {
        assertThat(results.get(i).get(10, TimeUnit.SECONDS)).hasSize(i % 2);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  // --- documented examples are accepted -------------------------------------------------------

  static Stream<Arguments> documentedExamples() {
    return Stream.of(
        // seed 003, verbatim
        Arguments.of("google/nano-banana", """
            {"prompt": "A surreal painting of a giant banana floating in space, stars and galaxies \
            in the background, vibrant colors, digital art", "output_format": "png",
            "image_size": "1:1"}"""),
        // seed 004, verbatim
        Arguments.of("google/nano-banana-edit", """
            {"prompt": "turn this photo into a character figure. Behind it, place a box with the \
            character’s image printed on it, and a computer showing the Blender modeling process \
            on its screen. In front of the box, add a round plastic base with the character \
            figure standing on it. set the scene indoors if possible",
            "image_urls": ["https://file.aiquickdraw.com/custom-page/akr/section-images/1756223420389w8xa2jfe.png"],
            "output_format": "png", "image_size": "1:1"}"""),
        // seed 000, verbatim
        Arguments.of("nano-banana-pro", """
            {"prompt": "Comic poster: cool banana hero in shades leaps from sci-fi pad. Six \
            panels: 1) 4K mountain landscape, 2) banana holds page of long multilingual text with \
            auto translation, 3) Gemini 3 hologram for search/knowledge/reasoning, 4) camera UI \
            sliders for angle focus color, 5) frame trio 1:1-9:16, 6) consistent banana poses. \
            Footer shows Google icons. Tagline: Nano Banana Pro now on Kie AI.",
            "image_input": [], "aspect_ratio": "1:1", "resolution": "1K", "output_format": "png"}"""),
        Arguments.of("nano-banana-2", """
            {"prompt": "A vertical banner of a banana-shaped rocket launching at dawn",
            "image_input": ["https://example.com/ref-1.png", "https://example.com/ref-2.webp"],
            "aspect_ratio": "1:4", "resolution": "2K", "output_format": "jpg"}"""),
        Arguments.of("nano-banana-2-lite", """
            {"prompt": "Generate a pig on the grass, cinematic light",
            "image_urls": ["https://file.aiquickdraw.com/custom-page/akr/section-images/1756223420389w8xa2jfe.png"],
            "aspect_ratio": "auto", "resolution": "1K"}"""));
  }

  @ParameterizedTest
  @MethodSource("documentedExamples")
  void documentedExampleIsAccepted(String model, String input) {
    assertThat(REGISTRY.validateMarket(model, new JsonObject(input))).isEmpty();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{\"prompt\": \"A hyper-realistic portrait of a woman in a flowing dress in a field of "
          + "wildflowers\", \"model\": \"google/nano-banana\", \"width\": 1024, \"height\": 1024, "
          + "\"steps\": 40, \"guidance_scale\": 7.5}",
      "{\"prompt\": \"Change the background to a sunset beach scene\", \"model\": "
          + "\"google/nano-banana-edit\", \"img_url\": \"https://example.com/image.jpg\", "
          + "\"negative_prompt\": \"blurry, low quality\", \"guidance_scale\": 8.5}"})
  void legacyDocumentedExampleIsAccepted(String body) {
    assertThat(REGISTRY.validateLegacy(new JsonObject(body))).isEmpty();
  }

  @Test
  void inputBuiltWithVertxTypesIsAccepted() {
    JsonObject input = new JsonObject().put("prompt", "a cat")
        .put("image_input", new JsonArray().add(IMAGE).add("data:image/png;base64," + PNG_1PX))
        .put("resolution", "4K");
    assertThat(REGISTRY.validateMarket("nano-banana-pro", input)).isEmpty();
  }

  // --- each rule broken once ------------------------------------------------------------------

  @ParameterizedTest
  @CsvSource({
      "google/nano-banana,      5000",
      "google/nano-banana-edit, 5000",
      "nano-banana-pro,         10000",
      "nano-banana-2,           20000",
      "nano-banana-2-lite,      20000"})
  void promptLongerThanTheModelAllowsIsRejected(String model, int limit) {
    JsonObject atLimit = validInput(model).put("prompt", "p".repeat(limit));
    assertThat(REGISTRY.validateMarket(model, atLimit)).isEmpty();

    JsonObject over = validInput(model).put("prompt", "p".repeat(limit + 12));
    List<Violation> violations = REGISTRY.validateMarket(model, over);
    assertThat(violations).containsExactly(new Violation("input.prompt",
        "is " + (limit + 12) + " characters long; " + model + " allows at most " + limit));
  }

  @Test
  void missingPromptIsRequired() {
    assertThat(REGISTRY.validateMarket("nano-banana-pro", new JsonObject().put("resolution", "2K")))
        .containsExactly(new Violation("input.prompt", "is required"));
  }

  @Test
  void editWithoutImagesIsRejected() {
    assertThat(REGISTRY.validateMarket("google/nano-banana-edit",
        new JsonObject().put("prompt", "make it blue")))
        .containsExactly(new Violation("input.image_urls", "is required"));
    assertThat(REGISTRY.validateMarket("google/nano-banana-edit",
        new JsonObject().put("prompt", "make it blue").put("image_urls", new JsonArray())))
        .containsExactly(new Violation("input.image_urls",
            "holds 0 images; google/nano-banana-edit needs at least 1"));
  }

  @ParameterizedTest
  @CsvSource({
      "google/nano-banana-edit, image_urls,  10",
      "nano-banana-pro,         image_input, 8",
      "nano-banana-2,           image_input, 14",
      "nano-banana-2-lite,      image_urls,  10"})
  void tooManyImagesAreRejected(String model, String field, int limit) {
    JsonArray images = new JsonArray();
    for (int i = 0; i <= limit; i++) {
      images.add("https://example.com/" + i + ".png");
    }
    assertThat(REGISTRY.validateMarket(model, validInput(model).put(field, images)))
        .containsExactly(new Violation("input." + field,
            "holds " + (limit + 1) + " images; " + model + " allows at most " + limit));
  }

  @Test
  void valueOutsideTheEnumIsRejected() {
    assertThat(REGISTRY.validateMarket("nano-banana-pro",
        validInput("nano-banana-pro").put("aspect_ratio", "7:5")))
        .containsExactly(new Violation("input.aspect_ratio",
            "must be one of 1:1, 2:3, 3:2, 3:4, 4:3, 4:5, 5:4, 9:16, 16:9, 21:9, auto; got \"7:5\""));
  }

  @Test
  void ratiosOnlyNanoBanana2KnowsAreRejectedForPro() {
    assertThat(REGISTRY.validateMarket("nano-banana-2",
        validInput("nano-banana-2").put("aspect_ratio", "8:1"))).isEmpty();
    assertThat(REGISTRY.validateMarket("nano-banana-pro",
        validInput("nano-banana-pro").put("aspect_ratio", "8:1")))
        .extracting(Violation::path).containsExactly("input.aspect_ratio");
  }

  @Test
  void wrongTypeIsReportedOnce() {
    assertThat(REGISTRY.validateMarket("nano-banana-pro",
        new JsonObject().put("prompt", 42).put("resolution", true)))
        .containsExactly(
            new Violation("input.prompt", "must be a string, got a number"),
            new Violation("input.resolution", "must be a string, got a boolean"));
  }

  @Test
  void unknownFieldNamesTheKnownOnes() {
    assertThat(REGISTRY.validateMarket("nano-banana-pro",
        validInput("nano-banana-pro").put("aspectRatio", "16:9")))
        .containsExactly(new Violation("input.aspectRatio",
            "is not a field of nano-banana-pro's input (known fields: prompt, image_input, "
                + "aspect_ratio, resolution, output_format); did you mean aspect_ratio?"));
    assertThat(REGISTRY.validateMarket("google/nano-banana",
        validInput("google/nano-banana").put("seed", 3)))
        .containsExactly(new Violation("input.seed",
            "is not a field of google/nano-banana's input (known fields: prompt, output_format, "
                + "image_size)"));
  }

  @Test
  void plainHttpImageUrlIsRejected() {
    assertThat(REGISTRY.validateMarket("nano-banana-pro", validInput("nano-banana-pro")
        .put("image_input", new JsonArray().add(IMAGE).add(IMAGE).add("http://example.com/a.png"))))
        .containsExactly(new Violation("input.image_input[2]",
            "must be an https:// URL or a data:image/...;base64, URI; got \"http://example.com/a.png\""));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "https://exa mple.com/a.png | is not a valid URL (Illegal character in authority at index 8); "
          + "got \"https://exa mple.com/a.png\"",
      "https:///a.png             | is not a valid URL: it names no host; got \"https:///a.png\"",
      "ftp://example.com/a.png    | must be an https:// URL or a data:image/...;base64, URI; "
          + "got \"ftp://example.com/a.png\""})
  void malformedImageUrlIsRejected(String url, String message) {
    assertThat(REGISTRY.validateMarket("google/nano-banana-edit",
        validInput("google/nano-banana-edit").put("image_urls", new JsonArray().add(url))))
        .containsExactly(new Violation("input.image_urls[0]", message));
  }

  @ParameterizedTest
  @CsvSource({"png", "jpeg", "webp"})
  void dataUriOfAnAcceptedTypeIsAccepted(String type) {
    assertThat(REGISTRY.validateMarket("nano-banana-2", validInput("nano-banana-2")
        .put("image_input", new JsonArray().add("data:image/" + type + ";base64," + PNG_1PX))))
        .isEmpty();
  }

  @Test
  void dataUriLargerThanTheModelAcceptsIsRejected() {
    String payload = "A".repeat(13_981_016); // decodes to 10_485_762 bytes, 2 over 10 MB
    String uri = "data:image/png;base64," + payload;
    List<Violation> violations = REGISTRY.validateMarket("google/nano-banana-edit",
        validInput("google/nano-banana-edit").put("image_urls", new JsonArray().add(IMAGE).add(uri)));
    assertThat(violations).containsExactly(new Violation("input.image_urls[1]",
        "is a data: URI of 10485762 bytes (10.0 MB); google/nano-banana-edit allows at most "
            + "10485760 bytes (10.0 MB) per image"));
    // the same image fits nano-banana-pro's 30 MB
    assertThat(REGISTRY.validateMarket("nano-banana-pro", validInput("nano-banana-pro")
        .put("image_input", new JsonArray().add(uri)))).isEmpty();
  }

  @Test
  void dataUriWithBrokenBase64IsRejected() {
    List<Violation> violations = REGISTRY.validateMarket("nano-banana-pro",
        validInput("nano-banana-pro").put("image_input",
            new JsonArray().add("data:image/png;base64,iVBO@@@@")));
    assertThat(violations).hasSize(1);
    assertThat(violations.get(0).path()).isEqualTo("input.image_input[0]");
    assertThat(violations.get(0).message())
        .startsWith("is a data: URI whose base64 data does not decode");
  }

  @Test
  void dataUriOfAnotherTypeIsRejected() {
    assertThat(REGISTRY.validateMarket("nano-banana-pro", validInput("nano-banana-pro")
        .put("image_input", new JsonArray().add("data:image/gif;base64,R0lGODlhAQABAAAAACw="))))
        .containsExactly(new Violation("input.image_input[0]", "is a data: URI of type "
            + "\"image/gif\"; accepted types are image/png, image/jpeg and image/webp"));
    assertThat(REGISTRY.validateMarket("nano-banana-pro", validInput("nano-banana-pro")
        .put("image_input", new JsonArray().add("data:image/png," + PNG_1PX))))
        .extracting(Violation::message).singleElement().asString()
        .startsWith("must be an https:// URL or a data:image/...;base64, URI (a data: URI must be "
            + "base64-encoded)");
  }

  @Test
  void threeProblemsYieldThreeViolations() {
    JsonObject input = new JsonObject()
        .put("prompt", "q".repeat(10_001))
        .put("resolution", "8K")
        .put("aspectRatio", "1:1");
    assertThat(REGISTRY.validateMarket("nano-banana-pro", input))
        .extracting(Violation::path)
        .containsExactly("input.aspectRatio", "input.prompt", "input.resolution");
  }

  @Test
  void messagesNeverEchoHugeValues() {
    String huge = "z".repeat(50_000);
    List<Violation> violations = REGISTRY.validateMarket("nano-banana-pro", new JsonObject()
        .put("prompt", huge).put("aspect_ratio", huge)
        .put("image_input", new JsonArray().add("http://" + huge)));
    assertThat(violations).hasSize(3);
    assertThat(violations).allSatisfy(v -> assertThat(v.message()).hasSizeLessThan(200));
    assertThat(violations.get(0).message()).contains("(50000 characters)");
  }

  @Test
  void unknownModelIsOneViolation() {
    assertThat(REGISTRY.validateMarket("midjourney", new JsonObject().put("prompt", 1)))
        .containsExactly(new Violation("model", "unknown model \"midjourney\"; known models: "
            + "google/nano-banana, google/nano-banana-edit, nano-banana-pro, nano-banana-2, "
            + "nano-banana-2-lite"));
    assertThat(REGISTRY.validateMarket(null, new JsonObject()))
        .extracting(Violation::path).containsExactly("model");
  }

  @Test
  void absentInputIsOneViolation() {
    assertThat(REGISTRY.validateMarket("nano-banana-pro", null))
        .containsExactly(new Violation("input", "is required and must be a JSON object"));
  }

  // --- legacy ----------------------------------------------------------------------------------

  @ParameterizedTest
  @CsvSource({"5, must be at least 20; got 5", "61, must be at most 60; got 61"})
  void legacyStepsOutOfRangeAreRejected(int steps, String message) {
    assertThat(REGISTRY.validateLegacy(new JsonObject().put("prompt", "a cat").put("steps", steps)))
        .containsExactly(new Violation("steps", message));
  }

  @Test
  void legacyNumbersAreChecked() {
    assertThat(REGISTRY.validateLegacy(new JsonObject().put("prompt", "a cat")
        .put("guidance_scale", 25.5).put("width", 0).put("seed", "abc")))
        .containsExactly(
            new Violation("guidance_scale", "must be at most 20; got 25.5"),
            new Violation("seed", "must be an integer, got a string"),
            new Violation("width", "must be at least 1; got 0"));
  }

  @Test
  void legacyWithMoreThanFiveImageUrlsIsRejected() {
    String six = String.join(", ", Stream.of(1, 2, 3, 4, 5, 6)
        .map(i -> "https://example.com/" + i + ".png").toList());
    assertThat(REGISTRY.validateLegacy(new JsonObject().put("prompt", "a cat").put("img_url", six)))
        .containsExactly(new Violation("img_url",
            "holds 6 comma-separated URLs; the legacy endpoint allows at most 5"));
  }

  @Test
  void legacyImageUrlsMustBeHttps() {
    assertThat(REGISTRY.validateLegacy(new JsonObject().put("prompt", "a cat")
        .put("img_url", "https://example.com/1.png,http://example.com/2.png,")))
        .containsExactly(
            new Violation("img_url",
                "entry 2 must be an https:// URL; got \"http://example.com/2.png\""),
            new Violation("img_url", "entry 3 is empty; separate URLs with single commas"));
  }

  @Test
  void legacyRulesAreReportedTogether() {
    assertThat(REGISTRY.validateLegacy(new JsonObject().put("model", "nano-banana-pro")
        .put("callBackUrl", "not a url").put("imgUrl", "https://example.com/a.png")))
        .containsExactly(
            new Violation("callBackUrl", "must be an http:// or https:// URL; got \"not a url\""),
            new Violation("imgUrl", "is not a field of the legacy generate body (known fields: "
                + "prompt, model, img_url, negative_prompt, seed, width, height, steps, "
                + "guidance_scale, callBackUrl); did you mean img_url?"),
            new Violation("model", "must be one of google/nano-banana, google/nano-banana-edit, "
                + "google/nano-banana-pro; got \"nano-banana-pro\""),
            new Violation("prompt", "is required"));
    assertThat(REGISTRY.validateLegacy(null))
        .containsExactly(new Violation("body", "is required and must be a JSON object"));
  }

  // --- helpers ---------------------------------------------------------------------------------

  private static JsonObject validInput(String model) {
    JsonObject input = new JsonObject().put("prompt", "a banana astronaut");
    REGISTRY.find(model).map(ModelSpec::imageField)
        .ifPresent(field -> input.put(field, new JsonArray().add(IMAGE)));
    return input;
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = ModelRegistryTest.class.getClassLoader()
        .getResourceAsStream("models/" + name)) {
      assertThat(in).as("resource models/" + name).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
