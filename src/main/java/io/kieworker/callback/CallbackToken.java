package io.kieworker.callback;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The {@code token} of a callback URL, bound to one attempt of one request:
 * base64url(HMAC-SHA256(secret, requestId + NUL + attempt)). Every instance of a group holds the
 * same secret, so any of them can check a callback meant for another. A token is only good for the
 * attempt it was made for, so a callback of a failed first task cannot pass for the resubmitted one.
 *
 * <p>URLs written before attempts were bound carry base64url(HMAC-SHA256(secret, requestId)) and
 * no attempt ({@link #verifyUnbound}). Request ids never hold control characters (the parser
 * refuses them), so no request id's unbound token equals another's bound one.
 *
 * <p>Thread-safe; the secret never leaves this object.
 */
public final class CallbackToken {
  private final SecretKeySpec key;

  public CallbackToken(String secret) {
    if (secret == null || secret.isEmpty()) {
      throw new IllegalArgumentException("callback secret must not be empty");
    }
    this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
  }

  /** A secret for the URL tokens derived from the API key, when no WORKER_CALLBACK_SECRET is set. */
  public static String deriveSecret(String apiKey) {
    return new CallbackToken(apiKey).unboundToken("kie-worker callback secret v1");
  }

  /** The token of the callback URL of attempt {@code attempt} (1, 2, ...) of the request. */
  public String token(String requestId, int attempt) {
    return encode(hmac(bound(requestId, attempt)));
  }

  /** The token of a URL without attempt, as written before attempts were bound. */
  public String unboundToken(String requestId) {
    return encode(hmac(requestId));
  }

  public boolean verify(String requestId, int attempt, String token) {
    return attempt > 0 && requestId != null && matches(bound(requestId, attempt), token);
  }

  /** Checks a token of a URL written before attempts were bound (an in-flight task at upgrade). */
  public boolean verifyUnbound(String requestId, String token) {
    return requestId != null && matches(requestId, token);
  }

  private boolean matches(String message, String token) {
    if (token == null || token.isEmpty()) {
      return false;
    }
    byte[] given;
    try {
      given = Base64.getUrlDecoder().decode(token);
    } catch (IllegalArgumentException e) {
      return false;
    }
    return MessageDigest.isEqual(hmac(message), given);
  }

  private static String bound(String requestId, int attempt) {
    return requestId + '\u0000' + attempt;
  }

  private static String encode(byte[] mac) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(mac);
  }

  private byte[] hmac(String message) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      return mac.doFinal(message.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  @Override
  public String toString() {
    return "CallbackToken[****]";
  }
}
