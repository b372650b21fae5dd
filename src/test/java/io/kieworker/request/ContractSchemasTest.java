package io.kieworker.request;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion.VersionFlag;
import com.networknt.schema.ValidationMessage;
import io.kieworker.model.ModelRegistry;
import io.kieworker.result.ResultError;
import io.kieworker.result.ResultEvent;
import io.kieworker.result.ResultStatus;
import io.kieworker.result.Timings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * docs/schemas/request.schema.json and result.schema.json say what the code does: sample documents
 * are valid or not for the schema exactly as the parser accepts or rejects them, every result the
 * factories make is valid, and every status the code knows is in the schema and in asyncapi's ce_types.
 */
@Tag("unit")
class ContractSchemasTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(VersionFlag.V202012);
  private static final JsonSchema REQUEST = schema("docs/schemas/request.schema.json");
  private static final JsonSchema RESULT = schema("docs/schemas/result.schema.json");
  private static final Instant AT = Instant.parse("2026-12-01T14:00:00Z");
  private static final String INPUT = "\"model\":\"nano-banana-pro\",\"input\":{\"prompt\":\"a fox\"}";

  private final RequestParser parser = new RequestParser(ModelRegistry.builtIn(), 100_000);

  private static JsonSchema schema(String file) {
    try {
      JsonSchema schema = FACTORY.getSchema(JSON.readTree(Path.of(file).toFile()));
      schema.initializeValidators();
      return schema;
    } catch (IOException e) {
      throw new IllegalStateException(file, e);
    }
  }

  private static Set<ValidationMessage> validate(JsonSchema schema, String json) throws IOException {
    return schema.validate(JSON.readTree(json));
  }

  /** Valid for the schema, and accepted by the parser. */
  @ParameterizedTest
  @ValueSource(strings = {
      "{" + INPUT + "}",
      "{\"requestId\":\"order-张三\"," + INPUT + ",\"metadata\":{\"tenant\":\"acme\"},\"endpoint\":\"market\"}",
      "{" + INPUT + ",\"priority\":\"high\",\"tenant\":\"acme-eu_1.x:y@z\",\"expiresAt\":\"2026-12-01T15:00:00Z\"}",
      "{" + INPUT + ",\"priority\":\"low\",\"expiresAt\":\"2026-12-01T17:00:00.125+02:00\"}",
      "{" + INPUT + ",\"expiresAt\":\"2001-01-01T00:00Z\",\"metadata\":{\"tenant\":\"not a tenant\"}}",
      "{\"requestId\":\"order-42\",\"action\":\"cancel\"}",
      "{\"requestId\":\"order-42\",\"action\":\"cancel\",\"metadata\":{\"by\":\"user-7\"}}"})
  void validMessages(String json) throws IOException {
    assertThat(validate(REQUEST, json)).as(json).isEmpty();
    assertThat(parser.parse("t", 0, 1L, json.getBytes(StandardCharsets.UTF_8)).accepted()).as(json).isTrue();
  }

  /** Invalid for the schema, and rejected by the parser. */
  @ParameterizedTest
  @ValueSource(strings = {
      "{" + INPUT + ",\"priority\":\"urgent\"}",
      "{" + INPUT + ",\"priority\":1}",
      "{" + INPUT + ",\"tenant\":\"acme corp\"}",
      "{" + INPUT + ",\"tenant\":\"\"}",
      "{" + INPUT + ",\"tenant\":\"zürich\"}",
      "{" + INPUT + ",\"tenant\":\"ttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttt\"}",
      "{" + INPUT + ",\"expiresAt\":\"2026-12-01T15:00:00\"}",
      "{" + INPUT + ",\"expiresAt\":\"tomorrow\"}",
      "{" + INPUT + ",\"expiresAt\":1764601200}",
      "{" + INPUT + ",\"requestId\":\"a/b\"}",
      "{" + INPUT + ",\"endpoint\":\"v2\"}",
      "{\"input\":{\"prompt\":\"a fox\"}}",
      "{\"requestId\":\"order-42\",\"action\":\"cancel\"," + INPUT + "}",
      "{\"requestId\":\"order-42\",\"action\":\"delete\"}",
      "{\"action\":\"cancel\"}",
      "{\"requestId\":\"a/b\",\"action\":\"cancel\"}",
      "{\"requestId\":\"order-42\",\"action\":\"cancel\",\"metadata\":{\"n\":1}}"})
  void invalidMessages(String json) throws IOException {
    assertThat(validate(REQUEST, json)).as(json).isNotEmpty();
    assertThat(parser.parse("t", 0, 1L, json.getBytes(StandardCharsets.UTF_8)).accepted()).as(json).isFalse();
  }

  @Test
  void everyStatusTheCodeKnowsIsInTheResultSchema() throws IOException {
    JsonNode root = JSON.readTree(Path.of("docs/schemas/result.schema.json").toFile());
    List<String> inSchema = new ArrayList<>();
    root.path("properties").path("status").path("enum").forEach(n -> inSchema.add(n.textValue()));

    assertThat(inSchema).containsExactlyInAnyOrderElementsOf(names(ResultStatus.values()));
  }

  @Test
  void everyCeTypeIsInAsyncApi() throws IOException {
    JsonNode spec = new YAMLMapper().readTree(Path.of("docs/asyncapi.yaml").toFile());
    List<String> ceTypes = new ArrayList<>();
    spec.at("/components/schemas/ResultHeaders/properties/ce_type/enum").forEach(n -> ceTypes.add(n.textValue()));

    assertThat(ceTypes).containsExactlyInAnyOrderElementsOf(
        Arrays.stream(ResultStatus.values()).map(ResultStatus::ceType).toList());
  }

  @Test
  void resultsTheFactoriesMakeAreValid() throws IOException {
    List<ResultEvent> events = List.of(
        ResultEvent.expired("order-1", "nano-banana-pro", Map.of("tenant", "acme"), "expired", AT),
        ResultEvent.cancelled("order-1", null, Map.of(), "cancelled", AT),
        ResultEvent.rejected("order-1", "m", Map.of(), ResultError.TOO_LARGE, "too large", AT).withPublishedAt(AT),
        new ResultEvent("order-1", ResultStatus.SUCCEEDED, "nano-banana-pro", "task-1", List.of("https://cdn/x.png"),
            null, 1, 18.0, new Timings(AT, AT, AT, AT), Map.of()),
        new ResultEvent("order-1", ResultStatus.TIMED_OUT, "nano-banana-pro", "task-1", List.of(),
            new ResultError(ResultError.DEADLINE, "no terminal state", true), 1, null, Timings.NONE, Map.of()));
    for (ResultEvent event : events) {
      assertThat(validate(RESULT, event.toJson().encode())).as(event.status().name()).isEmpty();
    }
  }

  @Test
  void anExpiredOrCancelledResultWithATaskOrAnotherCodeIsNotValid() throws IOException {
    String paid = new ResultEvent("order-1", ResultStatus.EXPIRED, "m", "task-1", List.of(),
        new ResultError(ResultError.EXPIRED, "x", false), 1, null, Timings.NONE, Map.of()).toJson().encode();
    String otherCode = new ResultEvent("order-1", ResultStatus.CANCELLED, "m", null, List.of(),
        new ResultError(ResultError.EXPIRED, "x", false), 0, null, Timings.NONE, Map.of()).toJson().encode();
    String noError = new ResultEvent("order-1", ResultStatus.CANCELLED, "m", null, List.of(),
        null, 0, null, Timings.NONE, Map.of()).toJson().encode();

    assertThat(validate(RESULT, paid)).isNotEmpty();
    assertThat(validate(RESULT, otherCode)).isNotEmpty();
    assertThat(validate(RESULT, noError)).isNotEmpty();
  }

  private static Set<String> names(Enum<?>[] values) {
    return Arrays.stream(values).map(Enum::name).collect(Collectors.toSet());
  }

}
