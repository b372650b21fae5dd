package io.kieworker.request;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import io.kieworker.model.ModelRegistry;
import io.kieworker.model.Violation;
import io.kieworker.queue.Priority;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Turns the value of one request record into a {@link GenerationRequest} or a rejection listing
 * every problem. Never throws for any input bytes. Stateless and thread-safe.
 */
public final class RequestParser {
  static final int MAX_UNPARSEABLE_MESSAGE = 200;
  static final String ROOT = "$";

  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private static final Pattern JACKSON_CODE = Pattern.compile("\\s*\\(code -?\\d+\\)");

  private final ModelRegistry registry;
  private final int maxRequestBytes;

  public RequestParser(ModelRegistry registry, int maxRequestBytes) {
    if (maxRequestBytes < 1) {
      throw new IllegalArgumentException("maxRequestBytes must be positive, got " + maxRequestBytes);
    }
    this.registry = registry;
    this.maxRequestBytes = maxRequestBytes;
  }

  public ParseOutcome parse(String topic, int partition, long offset, byte[] value) {
    String fallbackId = topic + "-" + partition + "-" + offset;
    try {
      return parseObject(fallbackId, value);
    } catch (RuntimeException e) {
      // A bug here must not stop the partition: the record is rejected, not retried forever.
      return unparseable(fallbackId, "value could not be read: " + e);
    }
  }

  private ParseOutcome parseObject(String fallbackId, byte[] value) {
    if (value == null) {
      return unparseable(fallbackId, "value is null (a tombstone or a record without a value)");
    }
    if (value.length == 0) {
      return unparseable(fallbackId, "value is empty");
    }
    if (value.length > maxRequestBytes) {
      return unparseable(fallbackId, "value is " + value.length + " bytes; the limit is "
          + maxRequestBytes + " (WORKER_MAX_REQUEST_BYTES)");
    }
    String text;
    try {
      text = strictUtf8(value);
    } catch (CharacterCodingException e) {
      return unparseable(fallbackId, "value is not valid UTF-8" + utf8Where(e));
    }
    JsonNode root;
    try {
      root = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      return unparseable(fallbackId, "value is not valid JSON: " + describe(e));
    }
    if (root == null || root.isMissingNode()) {
      return unparseable(fallbackId, "value holds no JSON (only whitespace)");
    }
    if (!root.isObject()) {
      return unparseable(fallbackId, "value must be a JSON object, got " + typeName(root));
    }
    if (root.has(CancelFields.ACTION)) {
      return new CancelFields(fallbackId, root).outcome();
    }
    return new Fields(fallbackId, root).outcome();
  }

  /** Reads the fields of a request object, collecting every violation. */
  private final class Fields {
    private final JsonNode root;
    private final List<Violation> violations = new ArrayList<>();
    private final String requestId;
    private final String model;
    private final Endpoint endpoint;
    private final JsonObject input;
    private final Map<String, String> metadata;
    private final Priority priority;
    private final String tenant;
    private final Instant expiresAt;

    Fields(String fallbackId, JsonNode root) {
      this.root = root;
      this.requestId = requestId(root, fallbackId, violations);
      this.model = model();
      this.endpoint = endpoint();
      this.input = input();
      this.metadata = metadata(root, violations);
      this.priority = QueueFields.priority(root, violations);
      this.tenant = QueueFields.tenant(root, metadata, violations);
      this.expiresAt = QueueFields.expiresAt(root, violations);
      validateModelInput();
    }

    ParseOutcome outcome() {
      if (!violations.isEmpty()) {
        return ParseOutcome.rejected(requestId, model, metadata, RejectReason.INVALID, violations);
      }
      return ParseOutcome.accepted(new GenerationRequest(requestId, model, endpoint, input, metadata,
          priority, tenant, expiresAt));
    }

    private String model() {
      JsonNode node = root.get("model");
      if (node == null || node.isNull()) {
        violations.add(new Violation("model", "is required; known models: " + knownModels()));
        return null;
      }
      if (!node.isTextual()) {
        violations.add(new Violation("model", "must be a string, got " + typeName(node)));
        return null;
      }
      return node.textValue();
    }

    private Endpoint endpoint() {
      JsonNode node = root.get("endpoint");
      if (node == null || node.isNull()) {
        return Endpoint.MARKET;
      }
      Endpoint parsed = node.isTextual() ? Endpoint.fromJson(node.textValue()).orElse(null) : null;
      if (parsed == null) {
        String got = node.isTextual() ? Text.quoted(node.textValue()) : typeName(node);
        violations.add(new Violation("endpoint", "must be \"market\" or \"legacy\", got " + got));
      }
      return parsed;
    }

    private JsonObject input() {
      JsonNode node = root.get("input");
      if (node == null || node.isNull()) {
        violations.add(new Violation("input", "is required and must be a JSON object"));
        return null;
      }
      if (!node.isObject()) {
        violations.add(new Violation("input", "must be a JSON object, got " + typeName(node)));
        return null;
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> map = JSON.convertValue(node, LinkedHashMap.class);
      return new JsonObject(map);
    }

    private void validateModelInput() {
      if (model == null || endpoint == null) {
        return;
      }
      if (input == null) {
        // Still say whether the model itself is usable; the input complaint is already listed.
        validate(new JsonObject()).stream().filter(v -> v.path().equals("model")).forEach(violations::add);
        return;
      }
      violations.addAll(validate(input));
    }

    private List<Violation> validate(JsonObject modelInput) {
      if (endpoint == Endpoint.MARKET) {
        return registry.validateMarket(model, modelInput);
      }
      JsonObject body = modelInput.copy().put("model", model);
      return registry.validateLegacy(body).stream().map(RequestParser::underInput).toList();
    }
  }

  /**
   * Reads a cancel message: {@code requestId} (required, same rules as a request's), {@code action}
   * (exactly "cancel") and optional {@code metadata}; any other key is a violation, so a request
   * that carries an {@code action} is never mistaken for one and created (paid).
   */
  private static final class CancelFields {
    static final String ACTION = "action";
    static final List<String> KEYS = List.of("requestId", ACTION, "metadata");
    /** Unknown keys named one by one; beyond this many, one violation counts the rest. */
    static final int MAX_NAMED_UNKNOWN = 10;
    private final JsonNode root;
    private final List<Violation> violations = new ArrayList<>();
    private final String requestId;
    private final Map<String, String> metadata;

    CancelFields(String fallbackId, JsonNode root) {
      this.root = root;
      this.requestId = cancelRequestId(fallbackId);
      action();
      this.metadata = metadata(root, violations);
      unknownKeys();
    }

    ParseOutcome outcome() {
      if (!violations.isEmpty()) {
        return ParseOutcome.rejectedCancel(requestId, metadata, violations);
      }
      return ParseOutcome.accepted(new CancelRequest(requestId, metadata));
    }

    private String cancelRequestId(String fallbackId) {
      JsonNode node = root.get("requestId");
      if (node == null || node.isNull()) {
        violations.add(new Violation("requestId", "is required in a cancel message: the id of the request to cancel"));
        return fallbackId;
      }
      return requestId(root, fallbackId, violations);
    }

    private void action() {
      JsonNode node = root.get(ACTION);
      if (node.isTextual() && node.textValue().equals("cancel")) {
        return;
      }
      String got = node.isTextual() ? Text.quoted(node.textValue()) : typeName(node);
      violations.add(new Violation(ACTION, "must be \"cancel\" (the only action), got " + got));
    }

    private void unknownKeys() {
      List<String> unknown = new ArrayList<>();
      root.fieldNames().forEachRemaining(name -> {
        if (!KEYS.contains(name)) {
          unknown.add(name);
        }
      });
      unknown.stream().limit(MAX_NAMED_UNKNOWN).forEach(name -> violations.add(new Violation(
          Text.oneLine(name, MAX_UNKNOWN_KEY), "is not allowed in a cancel message (allowed: "
              + String.join(", ", KEYS) + "); a request and its cancel are two messages")));
      if (unknown.size() > MAX_NAMED_UNKNOWN) {
        violations.add(new Violation(ROOT_FIELDS, (unknown.size() - MAX_NAMED_UNKNOWN)
            + " more keys are not allowed in a cancel message"));
      }
    }
  }

  /** Longest unknown key name a violation path repeats. */
  static final int MAX_UNKNOWN_KEY = 100;
  /** Path of a violation about the message's keys as a whole (not "$", which means unparseable). */
  static final String ROOT_FIELDS = "(keys)";

  private static String requestId(JsonNode root, String fallbackId, List<Violation> violations) {
    JsonNode node = root.get("requestId");
    if (node == null || node.isNull()) {
      return fallbackId;
    }
    String problem = requestIdProblem(node);
    if (problem != null) {
      violations.add(new Violation("requestId", problem));
      return fallbackId;
    }
    return node.textValue();
  }

  private static String requestIdProblem(JsonNode node) {
    if (!node.isTextual()) {
      return "must be a string, got " + typeName(node);
    }
    return RequestIds.problem(node.textValue());
  }

  /** The string entries of {@code metadata} (all of them when valid, the usable ones when not). */
  private static Map<String, String> metadata(JsonNode root, List<Violation> violations) {
    Map<String, String> result = new LinkedHashMap<>();
    JsonNode node = root.get("metadata");
    if (node == null || node.isNull()) {
      return result;
    }
    if (!node.isObject()) {
      violations.add(new Violation("metadata", "must be an object of strings, got " + typeName(node)));
      return result;
    }
    node.fields().forEachRemaining(entry -> {
      if (entry.getValue().isTextual()) {
        result.put(entry.getKey(), entry.getValue().textValue());
      } else {
        violations.add(new Violation("metadata." + entry.getKey(),
            "must be a string, got " + typeName(entry.getValue())));
      }
    });
    return result;
  }

  /** Legacy body paths are relative to the flat body, whose fields (but {@code model}) come from input. */
  private static Violation underInput(Violation v) {
    String path = v.path() == null ? "" : v.path();
    if (path.equals("model") || path.equals("input") || path.startsWith("input.") || path.startsWith("input[")) {
      return v;
    }
    String prefixed = path.isEmpty() || path.equals(ROOT) || path.equals("body") ? "input"
        : path.startsWith("[") ? "input" + path : "input." + path;
    return new Violation(prefixed, v.message());
  }

  private String knownModels() {
    return String.join(", ", registry.modelIds());
  }

  private static ParseOutcome unparseable(String fallbackId, String sentence) {
    Violation v = new Violation(ROOT, Text.oneLine(sentence, MAX_UNPARSEABLE_MESSAGE));
    return ParseOutcome.rejected(fallbackId, null, Map.of(), RejectReason.UNPARSEABLE, List.of(v));
  }

  private static String strictUtf8(byte[] value) throws CharacterCodingException {
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer bytes = ByteBuffer.wrap(value);
    try {
      return decoder.decode(bytes).toString();
    } catch (MalformedInputException e) {
      throw new PositionedMalformedInput(bytes.position());
    }
  }

  private static final class PositionedMalformedInput extends CharacterCodingException {
    final int position;

    PositionedMalformedInput(int position) {
      this.position = position;
    }
  }

  private static String utf8Where(CharacterCodingException e) {
    return e instanceof PositionedMalformedInput p ? " (malformed byte sequence at byte " + p.position + ")" : "";
  }

  /** "Unexpected character ('x'): expected a valid value … at line 1 column 3", without Jackson's source dump. */
  private static String describe(JsonProcessingException e) {
    String message = e.getOriginalMessage() == null ? e.getClass().getSimpleName() : e.getOriginalMessage();
    int newline = message.indexOf('\n');
    message = JACKSON_CODE.matcher(newline < 0 ? message : message.substring(0, newline)).replaceAll("");
    JsonLocation where = e.getLocation();
    if (where != null && where.getLineNr() > 0) {
      message += " at line " + where.getLineNr() + " column " + where.getColumnNr();
    }
    return message;
  }

  static String typeName(JsonNode node) {
    JsonNodeType type = node.getNodeType();
    return switch (type) {
      case STRING -> "a string";
      case NUMBER -> "a number";
      case BOOLEAN -> "a boolean";
      case ARRAY -> "an array";
      case OBJECT -> "an object";
      case NULL -> "null";
      default -> type.name().toLowerCase(java.util.Locale.ROOT);
    };
  }
}
