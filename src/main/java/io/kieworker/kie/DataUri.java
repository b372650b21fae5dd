package io.kieworker.kie;

import java.util.Base64;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A {@code data:<mime>;base64,<payload>} URI, checked without decoding the payload. */
public record DataUri(String mimeType, String base64) {
  private static final Pattern SHAPE =
      Pattern.compile("^data:([a-zA-Z0-9.+-]+/[a-zA-Z0-9.+-]+)((?:;[^,;]*)*);base64,", Pattern.CASE_INSENSITIVE);

  public static boolean looksLikeDataUri(String value) {
    return value != null && value.regionMatches(true, 0, "data:", 0, 5);
  }

  public static DataUri parse(String value) {
    if (value == null) {
      throw new IllegalArgumentException("data URI is missing");
    }
    Matcher m = SHAPE.matcher(value);
    if (!m.find()) {
      throw new IllegalArgumentException("not a data:<mime>;base64, URI");
    }
    return new DataUri(m.group(1).toLowerCase(Locale.ROOT), value.substring(m.end()));
  }

  /** Decoded size, from the base64 length alone. */
  public long approximateBytes() {
    int len = base64.length();
    int padding = base64.endsWith("==") ? 2 : base64.endsWith("=") ? 1 : 0;
    return (long) len * 3 / 4 - padding;
  }

  /** The bytes; O(size) work, so large payloads are decoded off the event loop. */
  public byte[] decode() {
    return Base64.getMimeDecoder().decode(base64);
  }

  public String extension() {
    switch (mimeType) {
      case "image/jpeg": case "image/jpg": return "jpg";
      case "image/webp": return "webp";
      case "image/png": return "png";
      default: return "bin";
    }
  }

  @Override
  public String toString() {
    return "DataUri[" + mimeType + ", ~" + approximateBytes() + " bytes]";
  }
}
