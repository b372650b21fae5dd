package io.kieworker.request;

import io.kieworker.model.Violation;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What {@link RequestParser} made of one record: exactly one of {@code request} (an accepted
 * generation request), {@code cancel} (an accepted cancel message) and {@code reason} (a rejection)
 * is set. {@code requestId} is always set and, with {@code model} and {@code metadata}, is extracted
 * as far as possible even from a rejected record, so the REJECTED result can carry them.
 *
 * <p>{@link #isCancel()} tells a cancel message (a value with an {@code action} key), accepted or
 * rejected, from a generation request. A rejected cancel is dead-lettered only: it never gets a
 * REJECTED result, which would carry (and look like the result of) the request it names.
 *
 * @param isCancel the value was a cancel message ({@code cancel} set, or rejected as a cancel)
 * @param detail one line for logs and the DLQ header; never the whole payload
 */
public record ParseOutcome(
    GenerationRequest request,
    CancelRequest cancel,
    boolean isCancel,
    String requestId,
    String model,
    Map<String, String> metadata,
    RejectReason reason,
    List<Violation> violations,
    String detail) {

  public ParseOutcome {
    Objects.requireNonNull(requestId, "requestId");
    int set = (request == null ? 0 : 1) + (cancel == null ? 0 : 1) + (reason == null ? 0 : 1);
    if (set != 1) {
      throw new IllegalArgumentException("exactly one of request, cancel and reason must be set");
    }
    if (cancel != null && !isCancel || request != null && isCancel) {
      throw new IllegalArgumentException("isCancel must be true exactly for cancel messages");
    }
    metadata = metadata == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    violations = violations == null ? List.of() : List.copyOf(violations);
    detail = detail == null ? "" : detail;
  }

  static ParseOutcome accepted(GenerationRequest request) {
    String detail = "accepted " + request.model() + " (" + request.endpoint().jsonName() + ")";
    return new ParseOutcome(request, null, false, request.requestId(), request.model(), request.metadata(),
        null, List.of(), detail);
  }

  static ParseOutcome accepted(CancelRequest cancel) {
    return new ParseOutcome(null, cancel, true, cancel.requestId(), null, cancel.metadata(), null, List.of(),
        "accepted cancel");
  }

  static ParseOutcome rejected(String requestId, String model, Map<String, String> metadata,
      RejectReason reason, List<Violation> violations) {
    return new ParseOutcome(null, null, false, requestId, model, metadata, reason, violations,
        summary(reason, violations));
  }

  static ParseOutcome rejectedCancel(String requestId, Map<String, String> metadata, List<Violation> violations) {
    return new ParseOutcome(null, null, true, requestId, null, metadata, RejectReason.INVALID, violations,
        "cancel " + summary(RejectReason.INVALID, violations));
  }

  /** True for an accepted generation request or an accepted cancel; {@link #reason()} is null then. */
  public boolean accepted() {
    return reason == null;
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
