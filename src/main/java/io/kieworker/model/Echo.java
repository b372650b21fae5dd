package io.kieworker.model;

import com.fasterxml.jackson.databind.JsonNode;
import io.kieworker.text.Quote;

/** Renders caller values inside messages without echoing huge prompts or data: URIs. */
final class Echo {
  static final int MAX_ECHO = 60;

  private Echo() {}

  static String quoted(String value) {
    String quoted = Quote.quoted(value, MAX_ECHO);
    return value.length() <= MAX_ECHO ? quoted : quoted + " (" + value.length() + " characters)";
  }

  static String of(JsonNode value) {
    if (value == null || value.isMissingNode()) {
      return "nothing";
    }
    if (value.isTextual()) {
      return quoted(value.textValue());
    }
    if (value.isContainerNode()) {
      return typeName(value);
    }
    String text = value.toString();
    return text.length() <= MAX_ECHO ? text : text.substring(0, MAX_ECHO - 3) + "...";
  }

  /** "a string", "an array", … as a sentence wants it. */
  static String typeName(JsonNode value) {
    return switch (value.getNodeType()) {
      case STRING -> "a string";
      case NUMBER -> "a number";
      case BOOLEAN -> "a boolean";
      case ARRAY -> "an array";
      case OBJECT -> "an object";
      case NULL -> "null";
      default -> "an unsupported value";
    };
  }

  /** Schema type keyword ("string", ["string","null"]) as a sentence wants it. */
  static String expectedType(JsonNode typeKeyword) {
    if (typeKeyword.isArray()) {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < typeKeyword.size(); i++) {
        if (i > 0) {
          sb.append(i == typeKeyword.size() - 1 ? " or " : ", ");
        }
        sb.append(article(typeKeyword.get(i).asText()));
      }
      return sb.toString();
    }
    return article(typeKeyword.asText());
  }

  private static String article(String type) {
    return switch (type) {
      case "null" -> "null";
      case "integer", "object", "array" -> "an " + type;
      default -> "a " + type;
    };
  }
}
