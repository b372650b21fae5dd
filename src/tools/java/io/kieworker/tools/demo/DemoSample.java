package io.kieworker.tools.demo;

import io.kieworker.tools.demo.DemoRequest.Expected;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * The requests the demo sends. The first {@link #SCENARIOS} cover every model, the legacy endpoint,
 * an inline image, a scripted failure and invalid input, so even a small sample shows each path;
 * larger samples add plain valid requests, cycling through the models. Requests come from two
 * tenants: {@link #LARGE_TENANT} sends the scenarios and most of the rest, {@link #SMALL_TENANT}
 * every third added request; in a sample larger than the scenarios the last request is
 * {@code high} priority, sent behind everything else.
 */
public final class DemoSample {
  public static final String EDIT_SOURCE = "https://picsum.photos/id/1080/512/512.jpg";
  private static final String[] MODELS =
      {"google/nano-banana", "nano-banana-pro", "nano-banana-2", "nano-banana-2-lite", "google/nano-banana-edit"};
  private static final String[] SUBJECTS = {"a banana surfing a wave", "a banana astronaut on the moon",
      "a watercolor banana bouquet", "a banana-shaped lighthouse at dusk", "a pixel-art banana knight",
      "a banana café on a rainy street", "a neon banana skyline", "a banana origami crane"};

  public static final String LARGE_TENANT = "acme";
  public static final String SMALL_TENANT = "beta";

  private DemoSample() {}

  /** The number of hand-written scenarios; samples of at least this size contain all of them. */
  public static final int SCENARIOS = 14;

  public static List<DemoRequest> of(int size) {
    if (size < 1) {
      throw new IllegalArgumentException("the sample needs at least one request: " + size);
    }
    List<DemoRequest> all = new ArrayList<>(scenarios());
    for (int i = all.size(); i < size - 1; i++) {
      all.add(filler(i + 1));
    }
    if (size > all.size()) {
      all.add(urgent(size));
    }
    return List.copyOf(all.subList(0, size));
  }

  private static List<DemoRequest> scenarios() {
    String png = tinyPngDataUri();
    return List.of(
        market(1, "google/nano-banana", "text", input("a banana wearing sunglasses").put("image_size", "16:9"),
            Expected.SUCCEEDED),
        market(2, "google/nano-banana-edit", "edit, URL",
            input("make it a sunset").put("image_urls", new JsonArray().add(EDIT_SOURCE)), Expected.SUCCEEDED),
        market(3, "nano-banana-pro", "text 2K",
            input("a banana cathedral, 2K").put("resolution", "2K").put("aspect_ratio", "16:9"), Expected.SUCCEEDED),
        market(4, "nano-banana-2", "text", input("a banana robot").put("aspect_ratio", "4:1"), Expected.SUCCEEDED),
        market(5, "nano-banana-2-lite", "text", input("a banana sketch").put("resolution", "1K"), Expected.SUCCEEDED),
        legacy(6, "google/nano-banana", "legacy",
            new JsonObject().put("prompt", "a legacy banana").put("steps", 30).put("seed", 42), Expected.SUCCEEDED),
        market(7, "nano-banana-pro", "inline image",
            input("restyle this pixel as a banana").put("image_input", new JsonArray().add(png)), Expected.SUCCEEDED),
        unparseable(8),
        market(9, "nano-banana-pro", "invalid input",
            input("too big").put("resolution", "8K").put("aspectRatio", "1:1"), Expected.REJECTED),
        market(10, "nano-banana-2", "fails (5xx)", input("a banana that breaks the GPU [sim:fail=500]"),
            Expected.FAILED),
        legacy(11, "google/nano-banana-edit", "legacy edit",
            new JsonObject().put("prompt", "legacy edit").put("img_url", EDIT_SOURCE), Expected.SUCCEEDED),
        market(12, "dall-e-3", "unknown model", input("not our model"), Expected.REJECTED),
        market(13, "google/nano-banana-edit", "inline image",
            input("add a banana").put("image_urls", new JsonArray().add(png)), Expected.SUCCEEDED),
        legacy(14, "google/nano-banana-pro", "legacy",
            new JsonObject().put("prompt", "a legacy pro banana").put("width", 1024).put("height", 768),
            Expected.SUCCEEDED));
  }

  private static DemoRequest filler(int n) {
    String model = MODELS[n % MODELS.length];
    JsonObject input = input(SUBJECTS[n % SUBJECTS.length] + " #" + n);
    if (model.equals("google/nano-banana-edit")) {
      input.put("image_urls", new JsonArray().add(EDIT_SOURCE));
    }
    String tenant = n % 3 == 0 ? SMALL_TENANT : LARGE_TENANT;
    return market(n, model, "text", input, Expected.SUCCEEDED, tenant, null);
  }

  /** The large tenant's high-priority request, produced after the rest: it overtakes whatever waits. */
  private static DemoRequest urgent(int n) {
    return market(n, "google/nano-banana", "high priority", input("an urgent banana #" + n), Expected.SUCCEEDED,
        LARGE_TENANT, "high");
  }

  private static JsonObject input(String prompt) {
    return new JsonObject().put("prompt", prompt);
  }

  private static DemoRequest market(int n, String model, String kind, JsonObject input, Expected expected) {
    return market(n, model, kind, input, expected, LARGE_TENANT, null);
  }

  private static DemoRequest market(int n, String model, String kind, JsonObject input, Expected expected,
      String tenant, String priority) {
    String id = id(n);
    JsonObject request = new JsonObject().put("requestId", id).put("model", model).put("input", input)
        .put("metadata", new JsonObject().put("source", "demo").put("scenario", kind));
    return DemoRequest.json(id, model, kind, queued(request, tenant, priority).encode(), expected, tenant, priority);
  }

  private static DemoRequest legacy(int n, String model, String kind, JsonObject input, Expected expected) {
    String id = id(n);
    JsonObject request = new JsonObject().put("requestId", id).put("model", model).put("endpoint", "legacy")
        .put("input", input).put("metadata", new JsonObject().put("source", "demo").put("scenario", kind));
    return DemoRequest.json(id, model, kind, queued(request, LARGE_TENANT, null).encode(), expected,
        LARGE_TENANT, null);
  }

  /** The create queue's optional fields: whose request it is and, when not normal, its priority. */
  private static JsonObject queued(JsonObject request, String tenant, String priority) {
    request.put("tenant", tenant);
    if (priority != null) {
      request.put("priority", priority);
    }
    return request;
  }

  /** Not JSON at all (and not UTF-8): the worker rejects it under its fallback id. */
  private static DemoRequest unparseable(int n) {
    byte[] junk = {(byte) 0xff, 0x00, '{', '"', 'o', 'o', 'p', 's'};
    return new DemoRequest(null, id(n), "(none)", "unparseable", junk, Expected.REJECTED, null, null);
  }

  private static String id(int n) {
    return String.format("demo-%03d", n);
  }

  /** A 4x4 PNG drawn in memory, as the data URI a request may carry instead of an https URL. */
  static String tinyPngDataUri() {
    BufferedImage image = new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB);
    for (int x = 0; x < 4; x++) {
      for (int y = 0; y < 4; y++) {
        image.setRGB(x, y, (x + y) % 2 == 0 ? 0xFFE135 : 0x3B2F2F);
      }
    }
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    try {
      ImageIO.write(image, "png", png);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return "data:image/png;base64," + Base64.getEncoder().encodeToString(png.toByteArray());
  }
}
