package io.kieworker.sim;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.FileUpload;
import java.net.URI;
import java.net.URLConnection;
import java.time.Instant;
import java.util.Base64;
import java.util.Locale;
import java.util.UUID;

/**
 * Kie.ai's file upload API. Each upload is recorded by path as a {@link SimFile} (a digest of its
 * bytes, not the bytes), replacing an earlier upload to the same path as Kie.ai does, so tests can
 * tell which image a task was given. A URL upload is never fetched: it reports a fixed size.
 * {@link SimFaults#uploadDelay()} holds every answer back. Event loop only.
 */
final class UploadApi {
  /** What a URL upload reports, since the simulator never fetches the file. */
  static final long FABRICATED_URL_FILE_SIZE = 245_760;

  private final SimState state;

  UploadApi(SimState state) {
    this.state = state;
  }

  void base64(ApiCall call) {
    later(() -> base64Now(call));
  }

  void stream(ApiCall call) {
    later(() -> streamNow(call));
  }

  void url(ApiCall call) {
    later(() -> urlNow(call));
  }

  private void later(Runnable answer) {
    long delay = state.faults.uploadDelay().toMillis();
    if (delay <= 0) {
      answer.run();
    } else {
      state.vertx.setTimer(delay, id -> answer.run());
    }
  }

  private void base64Now(ApiCall call) {
    JsonObject body = call.jsonBody();
    String data = body == null ? null : text(body, "base64Data");
    String uploadPath = body == null ? null : text(body, "uploadPath");
    if (data == null || uploadPath == null) {
      call.fail(400, "base64Data and uploadPath are required");
      return;
    }
    String mime = null;
    if (data.startsWith("data:")) {
      int comma = data.indexOf(',');
      String header = comma < 0 ? "" : data.substring(5, comma);
      if (comma < 0 || !header.endsWith(";base64")) {
        call.fail(400, "base64Data data URL must look like data:<mime>;base64,<data>");
        return;
      }
      mime = header.substring(0, header.length() - ";base64".length());
      data = data.substring(comma + 1);
    }
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(data.strip());
    } catch (IllegalArgumentException e) {
      call.fail(400, "base64Data is not valid base64");
      return;
    }
    if (bytes.length == 0) {
      call.fail(400, "base64Data is empty");
      return;
    }
    String fileName = text(body, "fileName");
    if (mime == null || mime.isEmpty()) {
      mime = fileName != null ? guessFromName(fileName) : sniff(bytes);
    }
    state.counters.uploaded("base64");
    call.ok(store(describe(uploadPath, fileName != null ? fileName : generatedName(mime), bytes.length, mime),
        sha256(bytes)));
  }

  private void streamNow(ApiCall call) {
    FileUpload file = call.ctx.fileUploads().stream()
        .filter(f -> f.name().equals("file")).findFirst().orElse(null);
    String uploadPath = call.ctx.request().getFormAttribute("uploadPath");
    if (file == null || uploadPath == null || uploadPath.isBlank()) {
      call.fail(400, "multipart fields file and uploadPath are required");
      return;
    }
    String given = call.ctx.request().getFormAttribute("fileName");
    String fileName = given != null && !given.isBlank() ? given
        : file.fileName() != null && !file.fileName().isBlank() ? file.fileName() : null;
    String mime = file.contentType() != null && !file.contentType().isBlank()
        && !file.contentType().equals("application/octet-stream") ? file.contentType()
        : fileName != null ? guessFromName(fileName) : "application/octet-stream";
    String name = fileName != null ? fileName : generatedName(mime);
    String type = mime;
    state.vertx.fileSystem().readFile(file.uploadedFileName()).onComplete(read -> {
      if (read.failed()) {
        call.fail(500, "the uploaded file could not be read back");
        return;
      }
      state.counters.uploaded("stream");
      call.ok(store(describe(uploadPath, name, file.size(), type), sha256(read.result().getBytes())));
    });
  }

  private void urlNow(ApiCall call) {
    JsonObject body = call.jsonBody();
    String fileUrl = body == null ? null : text(body, "fileUrl");
    String uploadPath = body == null ? null : text(body, "uploadPath");
    if (fileUrl == null || uploadPath == null) {
      call.fail(400, "fileUrl and uploadPath are required");
      return;
    }
    if (!TaskApi.isHttpUrl(fileUrl)) {
      call.fail(400, "fileUrl must be an http(s) URL");
      return;
    }
    String fileName = text(body, "fileName");
    if (fileName == null) {
      String path = URI.create(fileUrl.trim()).getPath();
      String last = path == null ? "" : path.substring(path.lastIndexOf('/') + 1);
      fileName = last.isEmpty() ? generatedName("application/octet-stream") : last;
    }
    state.counters.uploaded("url");
    call.ok(store(describe(uploadPath, fileName, FABRICATED_URL_FILE_SIZE, guessFromName(fileName)),
        sha256(fileUrl.getBytes(java.nio.charset.StandardCharsets.UTF_8))));
  }

  /** Records the described file under its path, as the one a later download gets. */
  private JsonObject store(JsonObject described, String sha256) {
    String path = described.getString("filePath");
    SimFile before = state.files.get(path);
    if (before != null && !before.sha256().equals(sha256)) {
      state.counters.uploadOverwrites.increment();
    }
    state.files.put(path, new SimFile(path, sha256, described.getLong("fileSize"),
        before == null ? 1 : before.uploads() + 1));
    return described;
  }

  static String sha256(byte[] bytes) {
    try {
      return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private JsonObject describe(String uploadPath, String fileName, long size, String mime) {
    String dir = uploadPath.replaceAll("^/+|/+$", "");
    String filePath = dir.isEmpty() ? fileName : dir + "/" + fileName;
    return new JsonObject()
        .put("fileName", fileName)
        .put("filePath", filePath)
        .put("downloadUrl", state.options.fileBaseUrl() + "/" + filePath)
        .put("fileSize", size)
        .put("mimeType", mime)
        .put("uploadedAt", Instant.now().toString());
  }

  private static String text(JsonObject body, String field) {
    return body.getValue(field) instanceof String s && !s.isBlank() ? s : null;
  }

  private static String guessFromName(String fileName) {
    String lower = fileName.toLowerCase(Locale.ROOT);
    if (lower.endsWith(".webp")) {
      return "image/webp";
    }
    String guessed = URLConnection.guessContentTypeFromName(lower);
    return guessed != null ? guessed : "application/octet-stream";
  }

  private static String sniff(byte[] b) {
    if (b.length >= 4 && (b[0] & 0xff) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G') {
      return "image/png";
    }
    if (b.length >= 3 && (b[0] & 0xff) == 0xff && (b[1] & 0xff) == 0xd8 && (b[2] & 0xff) == 0xff) {
      return "image/jpeg";
    }
    if (b.length >= 12 && b[0] == 'R' && b[1] == 'I' && b[8] == 'W' && b[9] == 'E' && b[10] == 'B') {
      return "image/webp";
    }
    return "application/octet-stream";
  }

  private static String generatedName(String mime) {
    String ext = switch (mime) {
      case "image/png" -> ".png";
      case "image/jpeg" -> ".jpg";
      case "image/webp" -> ".webp";
      default -> ".bin";
    };
    return "upload-" + UUID.randomUUID().toString().substring(0, 8) + ext;
  }
}
