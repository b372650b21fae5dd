package io.kieworker.request;

import com.fasterxml.jackson.databind.JsonNode;
import io.kieworker.model.Violation;
import io.kieworker.queue.Priority;
import io.kieworker.queue.Tenants;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The request fields that order the create queue: {@code priority}, {@code tenant} and
 * {@code expiresAt}. Each reader returns the field's value (its default when absent or null) and
 * adds a violation naming the rule when the value is unusable. Pure and thread-safe.
 */
final class QueueFields {
  /** Longest {@code expiresAt} text; an ISO-8601 instant with offset and nanoseconds is about 35 characters. */
  static final int MAX_EXPIRES_AT_LENGTH = 64;
  static final String EXPIRES_AT_RULE = "an ISO-8601 instant with a zone offset, like 2026-12-01T15:00:00Z or "
      + "2026-12-01T17:00:00+02:00";
  static final String PRIORITIES = Arrays.stream(Priority.values()).map(p -> "\"" + p.wireName() + "\"")
      .collect(Collectors.joining(", "));

  private QueueFields() {}

  static Priority priority(JsonNode root, List<Violation> violations) {
    JsonNode node = root.get("priority");
    if (node == null || node.isNull()) {
      return Priority.NORMAL;
    }
    Priority parsed = node.isTextual() ? Priority.fromWire(node.textValue()).orElse(null) : null;
    if (parsed == null) {
      String got = node.isTextual() ? Text.quoted(node.textValue()) : RequestParser.typeName(node);
      violations.add(new Violation("priority", "must be one of " + PRIORITIES + " (default \"normal\"), got " + got));
    }
    return parsed;
  }

  /** The {@code tenant} field; when absent, {@code metadata.tenant} if it follows the rule; else the default. */
  static String tenant(JsonNode root, Map<String, String> metadata, List<Violation> violations) {
    JsonNode node = root.get("tenant");
    if (node == null || node.isNull()) {
      String fromMetadata = metadata.get("tenant");
      return Tenants.valid(fromMetadata) ? fromMetadata : Tenants.DEFAULT;
    }
    if (!node.isTextual()) {
      violations.add(new Violation("tenant", "must be a string of " + Tenants.RULE + ", got "
          + RequestParser.typeName(node)));
      return null;
    }
    String problem = Tenants.problem(node.textValue());
    if (problem != null) {
      violations.add(new Violation("tenant", problem));
      return null;
    }
    return node.textValue();
  }

  static Instant expiresAt(JsonNode root, List<Violation> violations) {
    JsonNode node = root.get("expiresAt");
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isTextual()) {
      violations.add(new Violation("expiresAt", "must be a string holding " + EXPIRES_AT_RULE + ", got "
          + RequestParser.typeName(node)));
      return null;
    }
    String text = node.textValue();
    if (text.length() > MAX_EXPIRES_AT_LENGTH) {
      violations.add(new Violation("expiresAt", "must be at most " + MAX_EXPIRES_AT_LENGTH
          + " characters (" + EXPIRES_AT_RULE + "), got " + text.length()));
      return null;
    }
    OffsetDateTime at;
    try {
      at = OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    } catch (DateTimeParseException e) {
      violations.add(new Violation("expiresAt", "must be " + EXPIRES_AT_RULE + ", got " + Text.quoted(text)
          + " (" + whyUnreadable(e) + ")"));
      return null;
    }
    if (at.getYear() < 1 || at.getYear() > 9999) {
      // Years beyond 9999 would overflow epoch milliseconds further on; RFC 3339 has 4-digit years.
      violations.add(new Violation("expiresAt", "must have a year from 0001 to 9999, got " + Text.quoted(text)));
      return null;
    }
    return at.toInstant();
  }

  /** A field out of range ("Invalid value for MonthOfYear …: 13"), else where reading stopped. */
  private static String whyUnreadable(DateTimeParseException e) {
    if (e.getCause() != null && e.getCause().getMessage() != null) {
      return Text.oneLine(e.getCause().getMessage(), 120);
    }
    return "unreadable from character " + (e.getErrorIndex() + 1);
  }
}
