package io.kieworker.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonMetaSchema;
import com.networknt.schema.JsonNodePath;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.NonValidationKeyword;
import com.networknt.schema.SpecVersion.VersionFlag;
import com.networknt.schema.ValidationMessage;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * One schema file, compiled once, that turns the validator's messages into {@link Finding}s a
 * caller can act on. {@link JsonSchema} is thread-safe, so one instance serves every thread.
 */
final class CompiledSchema {
  private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(
      VersionFlag.V202012,
      builder -> builder.metaSchema(JsonMetaSchema.builder(JsonMetaSchema.getV202012())
          .keyword(new NonValidationKeyword("x-kie"))
          .keyword(new NonValidationKeyword("x-pattern-hint"))
          .build()));

  /** A violation plus the keyword that produced it, so overlapping reports can be merged. */
  record Finding(String path, String keyword, String message) {
    Violation toViolation() {
      return new Violation(path, message);
    }
  }

  private final String source;
  private final JsonNode root;
  private final JsonSchema schema;
  private final String owner;
  private final String subject;
  private final String pathPrefix;
  private final String imageField;
  private final List<String> knownFields;

  /**
   * @param owner who sets the limits, as messages name it ("nano-banana-pro", "the legacy endpoint")
   * @param subject what the schema describes ("nano-banana-pro's input")
   * @param pathPrefix prefix of every violation path ("input"), or "" for none
   */
  CompiledSchema(String source, JsonNode root, String owner, String subject, String pathPrefix) {
    this.source = source;
    this.root = root;
    this.owner = owner;
    this.subject = subject;
    this.pathPrefix = pathPrefix;
    this.imageField = root.path("x-kie").path("imageField").isTextual()
        ? root.path("x-kie").path("imageField").textValue() : null;
    this.knownFields = fieldNames(root.path("properties"));
    try {
      this.schema = FACTORY.getSchema(root);
      this.schema.initializeValidators();
    } catch (RuntimeException e) {
      throw new IllegalStateException("model schema " + source + " does not compile: "
          + e.getMessage(), e);
    }
  }

  String source() {
    return source;
  }

  JsonNode root() {
    return root;
  }

  String imageField() {
    return imageField;
  }

  String path(String field) {
    return pathPrefix.isEmpty() ? field : pathPrefix + "." + field;
  }

  List<Finding> findings(JsonNode instance) {
    List<Finding> findings = new ArrayList<>();
    for (ValidationMessage message : schema.validate(instance)) {
      findings.add(translate(message));
    }
    return findings;
  }

  private Finding translate(ValidationMessage m) {
    String type = m.getType();
    JsonNodePath location = m.getInstanceLocation();
    JsonNode limit = m.getSchemaNode();
    JsonNode value = m.getInstanceNode();
    return switch (type) {
      case "required" -> new Finding(childPath(location, m.getProperty()), type, "is required");
      case "additionalProperties" ->
          new Finding(childPath(location, m.getProperty()), type, unknownField(m.getProperty()));
      default -> new Finding(path(location), type, describe(type, location, limit, value, m));
    };
  }

  private String describe(
      String type, JsonNodePath location, JsonNode limit, JsonNode value, ValidationMessage m) {
    return switch (type) {
      case "type" -> "must be " + Echo.expectedType(limit) + ", got " + Echo.typeName(value);
      case "enum" -> "must be one of " + joinValues(limit) + "; got " + Echo.of(value);
      case "const" -> "must be " + Echo.of(limit) + "; got " + Echo.of(value);
      case "maxLength" -> "is " + length(value) + " characters long; " + owner
          + " allows at most " + limit.asText();
      case "minLength" -> limit.asInt() == 1 ? "must not be empty"
          : "is " + length(value) + " characters long; " + owner + " needs at least "
              + limit.asText();
      case "maxItems" -> "holds " + value.size() + " " + itemNoun(location) + "; " + owner
          + " allows at most " + limit.asText();
      case "minItems" -> "holds " + value.size() + " " + itemNoun(location) + "; " + owner
          + " needs at least " + limit.asText();
      case "pattern" -> patternHint(location) + "; got " + Echo.of(value);
      case "minimum" -> "must be at least " + limit.asText() + "; got " + Echo.of(value);
      case "maximum" -> "must be at most " + limit.asText() + "; got " + Echo.of(value);
      case "exclusiveMinimum" ->
          "must be greater than " + limit.asText() + "; got " + Echo.of(value);
      case "exclusiveMaximum" -> "must be less than " + limit.asText() + "; got " + Echo.of(value);
      case "format" -> "is not a valid " + limit.asText() + "; got " + Echo.of(value);
      default -> withoutLocation(m.getMessage());
    };
  }

  private String unknownField(String field) {
    String message = "is not a field of " + subject + " (known fields: "
        + String.join(", ", knownFields) + ")";
    return closest(field).map(known -> message + "; did you mean " + known + "?").orElse(message);
  }

  /** A known field that differs from {@code field} only in case, '_' or '-' (aspectRatio). */
  private Optional<String> closest(String field) {
    String wanted = squash(field);
    return knownFields.stream().filter(known -> squash(known).equals(wanted)).findFirst();
  }

  private static String squash(String name) {
    return name.replace("_", "").replace("-", "").toLowerCase(Locale.ROOT);
  }

  private String itemNoun(JsonNodePath location) {
    return isImageField(location) ? "images" : "items";
  }

  private boolean isImageField(JsonNodePath location) {
    return imageField != null && location.getNameCount() >= 1
        && imageField.equals(location.getName(0));
  }

  private String patternHint(JsonNodePath location) {
    if (location.getNameCount() == 0) {
      return "does not have the expected form";
    }
    JsonNode hint = root.path("properties").path(location.getName(0)).path("x-pattern-hint");
    if (hint.isTextual()) {
      return hint.textValue();
    }
    return isImageField(location) ? ImageRefCheck.EXPECTED_FORM : "does not have the expected form";
  }

  private String path(JsonNodePath location) {
    StringBuilder sb = new StringBuilder(pathPrefix);
    for (int i = 0; i < location.getNameCount(); i++) {
      Object element = location.getElement(i);
      if (element instanceof Integer index) {
        sb.append('[').append(index).append(']');
      } else {
        if (sb.length() > 0) {
          sb.append('.');
        }
        sb.append(element);
      }
    }
    return sb.length() == 0 ? "body" : sb.toString();
  }

  private String childPath(JsonNodePath location, String field) {
    return path(location.append(field));
  }

  private static int length(JsonNode value) {
    String text = value.asText();
    return text.codePointCount(0, text.length());
  }

  private static String joinValues(JsonNode values) {
    List<String> texts = new ArrayList<>();
    values.forEach(v -> texts.add(v.isTextual() ? v.textValue() : v.toString()));
    return String.join(", ", texts);
  }

  private static String withoutLocation(String libraryMessage) {
    int colon = libraryMessage.indexOf(": ");
    return colon < 0 ? libraryMessage : libraryMessage.substring(colon + 2);
  }

  private static List<String> fieldNames(JsonNode properties) {
    List<String> names = new ArrayList<>();
    for (Iterator<String> it = properties.fieldNames(); it.hasNext(); ) {
      names.add(it.next());
    }
    return List.copyOf(names);
  }
}
