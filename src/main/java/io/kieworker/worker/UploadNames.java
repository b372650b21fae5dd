package io.kieworker.worker;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Where an inline image is stored on Kie.ai. Kie.ai overwrites a file uploaded again under the
 * same path and name, so two images may share a name only when they are the same image of the
 * same request: the directory is a hash of the whole request id (any characters, none replaced)
 * and the file name a hash of the image's content plus its index in the request.
 */
final class UploadNames {
  /** 128 bits of SHA-256: no collision in any realistic number of requests or images. */
  private static final int HEX_CHARS = 32;

  private UploadNames() {}

  /** {@code kie-worker/<sha256(requestId)>}. */
  static String uploadPath(String requestId) {
    return "kie-worker/" + sha256(requestId.getBytes(StandardCharsets.UTF_8)).substring(0, HEX_CHARS);
  }

  /**
   * {@code <content hash>-<index>.<ext>}.
   *
   * @param contentHash hex SHA-256 of the image's data (see {@code DataUri.contentHash()})
   * @param index position of the image in the request's image field
   */
  static String fileName(String contentHash, int index, String extension) {
    return contentHash.substring(0, HEX_CHARS) + "-" + index + "." + extension;
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
