package io.kieworker.callback;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Kie.ai's optional callback signature: {@code X-Webhook-Signature} =
 * base64(HMAC-SHA256(key, taskId + "." + timestamp)), {@code X-Webhook-Timestamp} in unix seconds.
 * Only the task id and the timestamp are signed, not the body. Thread-safe; the key never leaves
 * this object ({@link #toString()} masks it).
 */
public final class WebhookSignature {
  public static final String TIMESTAMP_HEADER = "X-Webhook-Timestamp";
  public static final String SIGNATURE_HEADER = "X-Webhook-Signature";
  /** Kie.ai's documented tolerance: a signature older or newer than this is refused. */
  public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(5);

  public enum Verdict { VALID, MISSING, MALFORMED, STALE, MISMATCH }

  private final byte[] key;
  private final Duration window;

  public WebhookSignature(String key) {
    this(key, DEFAULT_WINDOW);
  }

  public WebhookSignature(String key, Duration window) {
    if (key == null || key.isEmpty()) {
      throw new IllegalArgumentException("webhook HMAC key must not be empty");
    }
    this.key = key.getBytes(StandardCharsets.UTF_8);
    this.window = window;
  }

  /** The header value Kie.ai would send for this task at this time. */
  public String sign(String taskId, long unixSeconds) {
    return Base64.getEncoder().encodeToString(hmac(taskId + "." + unixSeconds));
  }

  /** Checks the two headers in constant time; {@code now} is passed in so tests control the clock. */
  public Verdict verify(String taskId, String timestampHeader, String signatureHeader, Instant now) {
    if (taskId == null || taskId.isEmpty() || isBlank(timestampHeader) || isBlank(signatureHeader)) {
      return Verdict.MISSING;
    }
    long timestamp;
    byte[] given;
    try {
      timestamp = Long.parseLong(timestampHeader.trim());
      given = Base64.getDecoder().decode(signatureHeader.trim());
    } catch (IllegalArgumentException e) {
      return Verdict.MALFORMED;
    }
    if (Math.abs(now.getEpochSecond() - timestamp) > window.toSeconds()) {
      return Verdict.STALE;
    }
    byte[] expected = hmac(taskId + "." + timestamp);
    return MessageDigest.isEqual(expected, given) ? Verdict.VALID : Verdict.MISMATCH;
  }

  private byte[] hmac(String message) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(message.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  private static boolean isBlank(String s) {
    return s == null || s.isBlank();
  }

  @Override
  public String toString() {
    return "WebhookSignature[key=****, window=" + window + "]";
  }
}
