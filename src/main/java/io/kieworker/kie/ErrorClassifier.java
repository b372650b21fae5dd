package io.kieworker.kie;

import java.time.Duration;

/**
 * Turns what Kie.ai answered (HTTP status and body {@code code}) or how a call broke into one
 * {@link KieError}. Pure functions; the table is documented in README's "Kie.ai errors" section.
 *
 * <p>Kie.ai usually answers errors as HTTP 200 with a body code, sometimes (rate limiting, gateways)
 * with a real HTTP status: the body code wins when present and not 200, else a non-2xx status.
 */
public final class ErrorClassifier {

  /** What the call does, because the same code means different things for a create and a read. */
  public enum Call {
    /** A paid create (Market createTask, legacy generate): repeating it may pay twice. */
    CREATE,
    /** A read or any call that is safe to repeat (recordInfo, credits, download-url, uploads). */
    SAFE
  }

  private ErrorClassifier() {}

  /**
   * The error for an answer, or null when the answer is a success.
   *
   * @param bodyCode the body's {@code code}, or null when the body had none or was not JSON
   */
  public static KieError classify(
      Call call, int httpStatus, Integer bodyCode, String msg, Duration retryAfter) {
    boolean httpOk = httpStatus >= 200 && httpStatus < 300;
    if (httpOk && bodyCode != null && bodyCode == 200) {
      return null;
    }
    if (httpOk && bodyCode == null) {
      // The server processed the request but the answer is unreadable: for a create, a task may exist.
      return new KieError(
          call == Call.CREATE ? ErrorClass.AMBIGUOUS : ErrorClass.TRANSIENT,
          "MALFORMED_RESPONSE",
          "Kie.ai answered HTTP " + httpStatus + " without a readable body code",
          httpStatus,
          null);
    }
    boolean fromBody = bodyCode != null && bodyCode != 200;
    int code = fromBody ? bodyCode : httpStatus;
    ErrorClass errorClass = classOf(call, code, !fromBody);
    String message = (msg == null || msg.isBlank()) ? describe(code) : msg;
    return new KieError(errorClass, Integer.toString(code), message, httpStatus, retryAfter);
  }

  /**
   * The error for a call that got no answer.
   *
   * @param requestSent true once the request was handed to the connection: from then on a create
   *     may have reached Kie.ai, so its failure is {@link ErrorClass#AMBIGUOUS}
   */
  public static KieError transportFailure(Call call, Throwable cause, boolean requestSent) {
    boolean timeout = cause instanceof java.util.concurrent.TimeoutException
        || cause instanceof io.netty.handler.timeout.TimeoutException
        || cause.getCause() instanceof java.util.concurrent.TimeoutException
        || String.valueOf(cause.getMessage()).toLowerCase().contains("timeout")
        || String.valueOf(cause.getMessage()).toLowerCase().contains("timed out");
    String code = timeout ? "TIMEOUT" : "CONNECTION";
    ErrorClass errorClass =
        requestSent && call == Call.CREATE ? ErrorClass.AMBIGUOUS : ErrorClass.TRANSIENT;
    String stage = requestSent ? "after the request was sent" : "before the request was sent";
    return new KieError(
        errorClass, code, code.toLowerCase() + " " + stage + ": " + safeMessage(cause), 0, null);
  }

  private static ErrorClass classOf(Call call, int code, boolean onlyHttpStatus) {
    switch (code) {
      case 400: case 403: case 408: case 422: case 501: case 505:
        return ErrorClass.PERMANENT;
      case 433:
        return ErrorClass.QUOTA;
      case 401:
        return ErrorClass.AUTH;
      case 402:
        return ErrorClass.CREDITS;
      case 404:
        return call == Call.CREATE ? ErrorClass.PERMANENT : ErrorClass.NOT_FOUND;
      case 429:
        return ErrorClass.RATE_LIMITED;
      case 504:
        // A gateway timeout without Kie.ai's own body code: the request was forwarded and may have
        // created a task upstream.
        return call == Call.CREATE && onlyHttpStatus ? ErrorClass.AMBIGUOUS : ErrorClass.TRANSIENT;
      case 455: case 500: case 502: case 503:
        return ErrorClass.TRANSIENT;
      default:
        return code >= 500 ? ErrorClass.TRANSIENT : ErrorClass.PERMANENT;
    }
  }

  /** Kie.ai's documented meaning of a code, for answers that carry no message. */
  static String describe(int code) {
    switch (code) {
      case 400: return "invalid request parameters";
      case 401: return "authentication failed: check the API key";
      case 402: return "insufficient credits";
      case 403: return "forbidden (a CDN may block requests without a browser-like User-Agent)";
      case 404: return "not found";
      case 408: return "upstream gave no result in time";
      case 422: return "parameter validation failed";
      case 429: return "rate limited";
      case 433: return "sub-key usage limit reached";
      case 455: return "service under maintenance";
      case 500: return "Kie.ai server error";
      case 501: return "generation failed";
      case 502: return "bad gateway";
      case 503: return "service unavailable";
      case 504: return "gateway timeout";
      case 505: return "feature disabled";
      default: return "HTTP/body code " + code;
    }
  }

  /** Transport messages name hosts and ports, never headers; cap the length all the same. */
  private static String safeMessage(Throwable cause) {
    String text = cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : " " + cause.getMessage());
    return text.length() > 200 ? text.substring(0, 200) : text;
  }
}
