package io.kieworker.http;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The {@code token} of a callback URL: base64url(HMAC-SHA256(secret, requestId)). Every instance
 * of a group holds the same secret, so any of them can check a callback meant for another.
 * Thread-safe; the secret never leaves this object.
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
    return new CallbackToken(apiKey).token("kie-worker callback secret v1");
  }

  public String token(String requestId) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(hmac(requestId));
  }

  public boolean verify(String requestId, String token) {
    if (requestId == null || token == null || token.isEmpty()) {
      return false;
    }
    byte[] given;
    try {
      given = Base64.getUrlDecoder().decode(token);
    } catch (IllegalArgumentException e) {
      return false;
    }
    return MessageDigest.isEqual(hmac(requestId), given);
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
