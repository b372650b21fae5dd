package io.kieworker.store;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.HexFormat;
import java.util.Locale;

/**
 * The object key of one result image: {@code <prefix>/<model>/<yyyy>/<mm>/<dd>/<requestId-hash>/<n>.<ext>}.
 * Deterministic (the date is the request's receipt time, kept in the ledger), so a retry or a
 * second owner after a crash overwrites the same object instead of making another one. The request
 * id appears only as a hash: it is user text and may not be a valid or safe key segment.
 */
public final class StoreKey {
  private StoreKey() {}

  public static String of(String prefix, String model, Instant receivedAt, String requestId, int n, String ext) {
    ZonedDateTime day = receivedAt.atZone(ZoneOffset.UTC);
    String path = String.format(Locale.ROOT, "%s/%04d/%02d/%02d/%s/%d.%s", segment(model), day.getYear(),
        day.getMonthValue(), day.getDayOfMonth(), hash(requestId), n, ext);
    return prefix == null || prefix.isEmpty() ? path : prefix + "/" + path;
  }

  /** The first 32 hex digits (128 bits) of the SHA-256 of the request id. */
  static String hash(String requestId) {
    return sha256Hex(requestId.getBytes(StandardCharsets.UTF_8)).substring(0, 32);
  }

  /** A model id as one key segment: {@code google/nano-banana} → {@code google_nano-banana}. */
  static String segment(String model) {
    String s = model == null || model.isBlank() ? "unknown" : model.replaceAll("[^A-Za-z0-9._-]", "_");
    return s.length() > 100 ? s.substring(0, 100) : s;
  }

  static String sha256Hex(byte[] bytes) {
    return HexFormat.of().formatHex(sha256().digest(bytes));
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-256", e);
    }
  }
}
