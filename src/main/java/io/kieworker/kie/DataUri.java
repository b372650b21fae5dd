package io.kieworker.kie;

import io.vertx.core.buffer.Buffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code data:<mime>;base64,<payload>} URI, checked by scanning the text: the payload is never
 * copied out of the request's string nor decoded until it is written into an upload body. A
 * request of a few MB would otherwise cost each copy again (decode to validate, substring,
 * JSON-encode the body), which is what exhausted memory with many large inline images.
 */
public final class DataUri {
  private static final Pattern SHAPE =
      Pattern.compile("^data:([a-zA-Z0-9.+-]+/[a-zA-Z0-9.+-]+)((?:;[^,;]*)*);base64,", Pattern.CASE_INSENSITIVE);
  /** Copy/decode in steps of this many base64 characters (a multiple of 4): a bounded scratch. */
  private static final int CHUNK_CHARS = 64 * 1024;

  private final String text;
  private final String mimeType;
  private final int payloadStart;

  private DataUri(String text, String mimeType, int payloadStart) {
    this.text = text;
    this.mimeType = mimeType;
    this.payloadStart = payloadStart;
  }

  public static boolean looksLikeDataUri(String value) {
    return value != null && value.regionMatches(true, 0, "data:", 0, 5);
  }

  /** The URI with its shape and base64 payload checked; throws with the reason otherwise. */
  public static DataUri parse(String value) {
    if (value == null) {
      throw new IllegalArgumentException("data URI is missing");
    }
    Matcher m = SHAPE.matcher(value);
    if (!m.find()) {
      throw new IllegalArgumentException("not a data:<mime>;base64, URI");
    }
    String problem = base64Problem(value, m.end());
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
    return new DataUri(value, m.group(1).toLowerCase(Locale.ROOT), m.end());
  }

  /**
   * Why {@code text} from {@code from} on is not strict base64 (the alphabet, at most two '=' at
   * the end, a length a decoder accepts), or null when it is. Same rules as
   * {@link Base64#getDecoder()}, without allocating.
   */
  public static String base64Problem(String text, int from) {
    int end = text.length();
    if (end <= from) {
      return "no image data";
    }
    int padding = 0;
    while (padding < 2 && end - padding > from && text.charAt(end - 1 - padding) == '=') {
      padding++;
    }
    int dataEnd = end - padding;
    for (int i = from; i < dataEnd; i++) {
      if (!isBase64(text.charAt(i))) {
        return "illegal base64 character at offset " + (i - from);
      }
    }
    int length = end - from;
    if (padding > 0 ? length % 4 != 0 : length % 4 == 1) {
      return "base64 data of " + length + " characters cannot be complete";
    }
    if (dataEnd == from) {
      return "no image data";
    }
    return null;
  }

  /** Bytes {@code text} from {@code from} on decodes to, from its length alone. */
  public static long decodedSize(String text, int from) {
    int end = text.length();
    int padding = 0;
    while (padding < 2 && end - padding > from && text.charAt(end - 1 - padding) == '=') {
      padding++;
    }
    return (long) (end - from - padding) * 3 / 4;
  }

  private static boolean isBase64(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
  }

  public String mimeType() {
    return mimeType;
  }

  /** Characters of base64 payload. */
  public int payloadLength() {
    return text.length() - payloadStart;
  }

  /** Exact decoded size. */
  public long decodedBytes() {
    return decodedSize(text, payloadStart);
  }

  public String extension() {
    switch (mimeType) {
      case "image/jpeg": case "image/jpg": return "jpg";
      case "image/webp": return "webp";
      case "image/png": return "png";
      default: return "bin";
    }
  }

  /** SHA-256 of the payload as hex: names the image by its content. O(size): off the event loop. */
  public String contentHash() {
    MessageDigest sha = sha256();
    byte[] scratch = new byte[Math.min(CHUNK_CHARS, payloadLength())];
    for (int at = payloadStart; at < text.length(); at += scratch.length) {
      int n = Math.min(scratch.length, text.length() - at);
      asciiInto(at, n, scratch);
      sha.update(scratch, 0, n);
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  /** Appends the base64 payload as ASCII bytes: one copy, through a bounded scratch array. */
  public void appendPayload(Buffer into) {
    byte[] scratch = new byte[Math.min(CHUNK_CHARS, payloadLength())];
    for (int at = payloadStart; at < text.length(); at += scratch.length) {
      int n = Math.min(scratch.length, text.length() - at);
      asciiInto(at, n, scratch);
      into.appendBytes(scratch, 0, n);
    }
  }

  /** Appends the decoded bytes, decoding chunk by chunk straight into {@code into}. O(size). */
  public void appendDecoded(Buffer into) {
    Base64.Decoder decoder = Base64.getDecoder();
    byte[] scratch = new byte[Math.min(CHUNK_CHARS, payloadLength())];
    byte[] out = new byte[scratch.length / 4 * 3 + 3];
    for (int at = payloadStart; at < text.length(); at += scratch.length) {
      int n = Math.min(scratch.length, text.length() - at);
      byte[] src = n == scratch.length ? scratch : new byte[n]; // only the last chunk is shorter
      asciiInto(at, n, src);
      into.appendBytes(out, 0, decoder.decode(src, out));
    }
  }

  /** Copies {@code n} chars from {@code at}, all ASCII (checked by parse), into {@code dst}. */
  @SuppressWarnings("deprecation") // the byte-wise String.getBytes is exactly right for ASCII: no intermediate array
  private void asciiInto(int at, int n, byte[] dst) {
    text.getBytes(at, at + n, dst, 0);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  @Override
  public String toString() {
    return "DataUri[" + mimeType + ", " + decodedBytes() + " bytes]";
  }
}
