package io.kieworker.request;

import io.kieworker.model.Violation;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What {@link RequestParser} made of one record. Either {@code request} is set and {@code reason}
 * is null, or the other way round; {@code requestId} is always set and, with {@code model} and
 * {@code metadata}, is extracted as far as possible even from a rejected record, so the REJECTED
 * result can carry them.
 *
 * @param detail one line for logs and the DLQ header; never the whole payload
 */
public record ParseOutcome(
    GenerationRequest request,
    String requestId,
    String model,
    Map<String, String> metadata,
    RejectReason reason,
    List<Violation> violations,
    String detail) {

  public ParseOutcome {
    Objects.requireNonNull(requestId, "requestId");
    if ((request == null) == (reason == null)) {
      throw new IllegalArgumentException("exactly one of request and reason must be set");
    }
    metadata = metadata == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    violations = violations == null ? List.of() : List.copyOf(violations);
    detail = detail == null ? "" : detail;
  }

  static ParseOutcome accepted(GenerationRequest request) {
    String detail = "accepted " + request.model() + " (" + request.endpoint().jsonName() + ")";
    return new ParseOutcome(request, request.requestId(), request.model(), request.metadata(),
        null, List.of(), detail);
  }

  static ParseOutcome rejected(String requestId, String model, Map<String, String> metadata,
      RejectReason reason, List<Violation> violations) {
    return new ParseOutcome(null, requestId, model, metadata, reason, violations, summary(reason, violations));
  }

  public boolean accepted() {
    return request != null;
  }

  static final int MAX_DETAIL = 500;

  private static String summary(RejectReason reason, List<Violation> violations) {
    StringBuilder sb = new StringBuilder(reason.name()).append(": ");
    if (violations.size() > 1) {
      sb.append(violations.size()).append(" violations: ");
    }
    for (int i = 0; i < violations.size(); i++) {
      if (i > 0) {
        sb.append("; ");
      }
      sb.append(violations.get(i));
    }
    return Text.oneLine(sb.toString(), MAX_DETAIL);
  }
}
