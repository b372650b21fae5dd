package io.kieworker.model;

import io.kieworker.kie.DataUri;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Checks one image reference beyond what a schema pattern can say: an https URL must parse and
 * name a host; a data: URI must carry an accepted image type, valid base64 and no more bytes than
 * the model accepts.
 */
final class ImageRefCheck {
  static final Set<String> ACCEPTED_TYPES = Set.of("image/png", "image/jpeg", "image/webp");
  static final String EXPECTED_FORM = "must be an https:// URL or a data:image/...;base64, URI";

  private ImageRefCheck() {}

  /** Problem with {@code ref} as a Market image field item, or empty when it is fine. */
  static Optional<String> marketImage(String ref, String model, long maxImageBytes) {
    if (ref.startsWith("data:")) {
      return dataUri(ref, model, maxImageBytes);
    }
    if (ref.startsWith("https://")) {
      return httpsUrl(ref);
    }
    return Optional.of(EXPECTED_FORM + "; got " + Echo.quoted(ref));
  }

  /** Problem with {@code ref} as an https-only URL, or empty when it is fine. */
  static Optional<String> httpsOnly(String ref) {
    if (!ref.startsWith("https://")) {
      return Optional.of("must be an https:// URL; got " + Echo.quoted(ref));
    }
    return httpsUrl(ref);
  }

  private static Optional<String> httpsUrl(String ref) {
    URI uri;
    try {
      uri = new URI(ref);
    } catch (URISyntaxException e) {
      return Optional.of(
          "is not a valid URL (" + e.getReason() + " at index " + e.getIndex() + "); got "
              + Echo.quoted(ref));
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      return Optional.of("is not a valid URL: it names no host; got " + Echo.quoted(ref));
    }
    return Optional.empty();
  }

  private static Optional<String> dataUri(String ref, String model, long maxImageBytes) {
    int comma = ref.indexOf(',');
    String header = comma < 0 ? ref.substring(5) : ref.substring(5, comma);
    if (comma < 0 || !header.endsWith(";base64")) {
      return Optional.of(EXPECTED_FORM + " (a data: URI must be base64-encoded); got "
          + Echo.quoted(ref));
    }
    String mime = header.substring(0, header.indexOf(';'));
    if (!ACCEPTED_TYPES.contains(mime)) {
      return Optional.of("is a data: URI of type " + Echo.quoted(mime)
          + "; accepted types are image/png, image/jpeg and image/webp");
    }
    // Offsets into ref, never a substring: a data URI may be megabytes (see kie.DataUri).
    int payload = comma + 1;
    long size = DataUri.decodedSize(ref, payload);
    if (maxImageBytes > 0 && size > maxImageBytes) {
      return Optional.of("is a data: URI of " + size + " bytes (" + megabytes(size) + "); " + model
          + " allows at most " + maxImageBytes + " bytes (" + megabytes(maxImageBytes)
          + ") per image");
    }
    if (payload == ref.length()) {
      return Optional.of("is a data: URI with no image data");
    }
    String problem = DataUri.base64Problem(ref, payload);
    if (problem != null) {
      return Optional.of("is a data: URI whose base64 data does not decode (" + problem + ")");
    }
    return Optional.empty();
  }

  private static String megabytes(long bytes) {
    return String.format(Locale.ROOT, "%.1f MB", bytes / (1024.0 * 1024.0));
  }
}
