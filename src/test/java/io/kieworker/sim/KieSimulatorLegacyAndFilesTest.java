package io.kieworker.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.multipart.MultipartForm;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class KieSimulatorLegacyAndFilesTest {
  private static final byte[] PNG_BYTES = {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0, 0, 13};
  private static SimHarness h;

  @BeforeAll
  static void start() {
    h = new SimHarness(SimHarness.instant());
  }

  @AfterAll
  static void stop() {
    h.close();
  }

  @BeforeEach
  void reset() {
    SimHarness.await(h.sim.reset());
  }

  static JsonObject legacyTextToImage() {
    return new JsonObject()
        .put("prompt", "A hyper-realistic portrait of a woman in a flowing dress in a field of wildflowers")
        .put("model", "google/nano-banana").put("width", 1024).put("height", 1024).put("steps", 40)
        .put("guidance_scale", 7.5);
  }

  static JsonObject legacyEdit() {
    return new JsonObject().put("prompt", "Change the background to a sunset beach scene")
        .put("model", "google/nano-banana-edit").put("img_url", "https://example.com/image.jpg")
        .put("negative_prompt", "blurry, low quality").put("guidance_scale", 8.5);
  }

  @Test
  void legacyExamplesAnswerAFlatRecord() {
    for (JsonObject request : new JsonObject[] {legacyTextToImage(), legacyEdit()}) {
      JsonObject created = h.post("/api/v1/nano-banana/generate", request).bodyAsJsonObject();
      assertThat(created.getInteger("code")).isEqualTo(200);
      assertThat(created.getString("msg")).isEqualTo("success");
      String taskId = created.getJsonObject("data").getString("taskId");
      assertThat(taskId).matches("[0-9a-f]{32}");
      JsonObject record = h.get("/api/v1/nano-banana/record-info?taskId=" + taskId).bodyAsJsonObject();
      assertThat(record.fieldNames()).containsExactly("taskId", "successFlag", "imageUrl", "createTime", "completeTime");
      assertThat(record.getString("taskId")).isEqualTo(taskId);
      assertThat(record.getInteger("successFlag")).isEqualTo(1);
      assertThat(record.getString("imageUrl")).startsWith("http://127.0.0.1:").contains("/results/");
      assertThat(record.getString("createTime")).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
    }
    assertThat(h.sim.counters().legacyRecordInfoPolls()).isEqualTo(2);
    assertThat(h.sim.counters().legacyCreateRequests()).isEqualTo(2);
  }

  @Test
  void legacyFailureCarriesErrorCodeAndMessage() {
    JsonObject request = legacyTextToImage().put("prompt", "broken [sim:fail=500]");
    String taskId = h.post("/api/v1/nano-banana/generate", request).bodyAsJsonObject()
        .getJsonObject("data").getString("taskId");
    JsonObject record = h.get("/api/v1/nano-banana/record-info?taskId=" + taskId).bodyAsJsonObject();
    assertThat(record.getInteger("successFlag")).isEqualTo(2);
    assertThat(record.getInteger("errorCode")).isEqualTo(500);
    assertThat(record.getString("errorMessage")).isNotBlank();
    assertThat(record.containsKey("imageUrl")).isFalse();
  }

  @Test
  void legacyValidationIs422() {
    JsonObject answer = h.post("/api/v1/nano-banana/generate", legacyTextToImage().put("steps", 99))
        .bodyAsJsonObject();
    assertThat(answer.getInteger("code")).isEqualTo(422);
    assertThat(answer.getString("msg")).contains("steps");
  }

  @Test
  void legacyWrappedOptionWrapsTheRecord() {
    try (SimHarness wrapped = new SimHarness(SimHarness.instant().legacyWrapped(true))) {
      String taskId = wrapped.post("/api/v1/nano-banana/generate", legacyTextToImage()).bodyAsJsonObject()
          .getJsonObject("data").getString("taskId");
      JsonObject answer = wrapped.get("/api/v1/nano-banana/record-info?taskId=" + taskId).bodyAsJsonObject();
      assertThat(answer.getInteger("code")).isEqualTo(200);
      assertThat(answer.getJsonObject("data").getInteger("successFlag")).isEqualTo(1);
    }
  }

  @Test
  void base64UploadAcceptsRawAndDataUrls() {
    String raw = Base64.getEncoder().encodeToString(PNG_BYTES);
    JsonObject a = h.post("/api/file-base64-upload", new JsonObject().put("base64Data", raw)
        .put("uploadPath", "images/user").put("fileName", "cat.png")).bodyAsJsonObject();
    assertThat(a.getBoolean("success")).isTrue();
    assertThat(a.getInteger("code")).isEqualTo(200);
    assertThat(a.getString("msg")).isEqualTo("File uploaded successfully");
    JsonObject data = a.getJsonObject("data");
    assertThat(data.fieldNames()).containsExactlyInAnyOrder("fileName", "filePath", "downloadUrl", "fileSize",
        "mimeType", "uploadedAt");
    assertThat(data.getString("downloadUrl")).isEqualTo("https://tempfile.kie-sim.invalid/images/user/cat.png");
    assertThat(data.getLong("fileSize")).isEqualTo(PNG_BYTES.length);
    assertThat(data.getString("mimeType")).isEqualTo("image/png");

    JsonObject b = h.post("/api/file-base64-upload", new JsonObject()
        .put("base64Data", "data:image/webp;base64," + raw).put("uploadPath", "x")).bodyAsJsonObject();
    assertThat(b.getJsonObject("data").getString("mimeType")).isEqualTo("image/webp");
    assertThat(b.getJsonObject("data").getString("downloadUrl")).startsWith("https://tempfile.kie-sim.invalid/x/");

    JsonObject bad = h.post("/api/file-base64-upload", new JsonObject().put("base64Data", "%%%not base64")
        .put("uploadPath", "x")).bodyAsJsonObject();
    assertThat(bad.getInteger("code")).isEqualTo(400);
    assertThat(bad.getBoolean("success")).isFalse();
    JsonObject missing = h.post("/api/file-base64-upload", new JsonObject().put("base64Data", raw))
        .bodyAsJsonObject();
    assertThat(missing.getInteger("code")).isEqualTo(400);
    assertThat(h.sim.counters().uploads("base64")).isEqualTo(2);
  }

  @Test
  void streamUploadReadsTheMultipartFile() {
    MultipartForm form = MultipartForm.create().attribute("uploadPath", "streams")
        .binaryFileUpload("file", "photo.png", Buffer.buffer(PNG_BYTES), "image/png");
    JsonObject answer = h.postForm("/api/file-stream-upload", form).bodyAsJsonObject();
    assertThat(answer.getBoolean("success")).isTrue();
    JsonObject data = answer.getJsonObject("data");
    assertThat(data.getString("fileName")).isEqualTo("photo.png");
    assertThat(data.getString("filePath")).isEqualTo("streams/photo.png");
    assertThat(data.getLong("fileSize")).isEqualTo(PNG_BYTES.length);
    assertThat(data.getString("mimeType")).isEqualTo("image/png");

    JsonObject noFile = h.postForm("/api/file-stream-upload", MultipartForm.create().attribute("uploadPath", "s"))
        .bodyAsJsonObject();
    assertThat(noFile.getInteger("code")).isEqualTo(400);
    assertThat(h.sim.counters().uploads("stream")).isEqualTo(1);
  }

  @Test
  void urlUploadFabricatesWithoutFetching() {
    JsonObject answer = h.post("/api/file-url-upload", new JsonObject()
        .put("fileUrl", "https://example.invalid/pics/dog.jpg").put("uploadPath", "remote")).bodyAsJsonObject();
    assertThat(answer.getBoolean("success")).isTrue();
    JsonObject data = answer.getJsonObject("data");
    assertThat(data.getString("fileName")).isEqualTo("dog.jpg");
    assertThat(data.getString("downloadUrl")).isEqualTo("https://tempfile.kie-sim.invalid/remote/dog.jpg");
    assertThat(data.getString("mimeType")).isEqualTo("image/jpeg");
    assertThat(h.post("/api/file-url-upload", new JsonObject().put("uploadPath", "r")).bodyAsJsonObject()
        .getInteger("code")).isEqualTo(400);
    assertThat(h.sim.counters().uploads("url")).isEqualTo(1);
  }

  @Test
  void uploadsNeedTheKeyToo() {
    JsonObject answer = h.postWithKey("/api/file-url-upload", null, new JsonObject()
        .put("fileUrl", "https://example.invalid/a.png").put("uploadPath", "r")).bodyAsJsonObject();
    assertThat(answer.getInteger("code")).isEqualTo(401);
    assertThat(answer.getBoolean("success")).isFalse();
  }
}
