package io.kieworker.kie;

import java.time.Duration;

/**
 * A failed Kie.ai call.
 *
 * @param errorClass what it means for the caller
 * @param code Kie.ai's body code or HTTP status as text ("429", "455"), or a client code such as
 *     {@code TIMEOUT}, {@code CONNECTION}, {@code MALFORMED_RESPONSE}
 * @param message a sentence for people; never carries a key or a request body
 * @param httpStatus the HTTP status, or 0 when no response arrived
 * @param retryAfter how long Kie.ai asked us to wait (Retry-After), or null
 */
public record KieError(
    ErrorClass errorClass, String code, String message, int httpStatus, Duration retryAfter) {

  public boolean retryable() {
    return errorClass.retryable();
  }

  @Override
  public String toString() {
    return errorClass + "(" + code + "): " + message;
  }
}
