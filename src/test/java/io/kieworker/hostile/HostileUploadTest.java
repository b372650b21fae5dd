package io.kieworker.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import io.kieworker.sim.ScriptedResponse;
import io.kieworker.sim.SimEndpoint;
import io.kieworker.sim.SimFile;
import io.kieworker.sim.SimOptions;
import io.kieworker.testing.Await;
import io.kieworker.testing.KafkaBroker;
import io.kieworker.testing.WorkerHarness;
import io.kieworker.worker.WorkerApp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Hostile inline images (issue 9, items 4, 15, 16): images that would overwrite each other, a burst
 * of large data URIs, broken base64, and Kie.ai's upload API answering 429, 5xx, 4xx and 401.
 * Each case asserts the result, what the simulator stored and that nothing was paid for in vain.
 */
@ExtendWith(KafkaBroker.class)
class HostileUploadTest {
  private static final String EDIT_MODEL = "google/nano-banana-edit";

  private static SimOptions fastSim() {
    return new SimOptions().latency(SimOptions.ANY_MODEL, Duration.ofMillis(100), Duration.ofMillis(300)).seed(5L);
  }

  /** Cases that share one worker on one partition; the simulator is reset before each. */
  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
  class OneWorker {
    private WorkerHarness h;
    private WorkerApp app;

    @BeforeAll
    void start() {
      h = new WorkerHarness(1, fastSim());
      app = h.startWorker(Map.of());
    }

    @AfterAll
    void stop() {
      h.close();
    }

    @BeforeEach
    void resetSimulator() {
      Await.result(h.sim().reset());
    }

    @Test
    void idsThatDifferOnlyInNonAsciiLettersEachGetTheirOwnImage() {
      byte[] zhang = image(1, 2_000);
      byte[] li = image(2, 2_000);
      h.send("k", edit("portrait-张三", dataUri(zhang)));
      h.send("k", edit("portrait-李四", dataUri(li)));

      Map<String, JsonObject> byId = h.awaitResultsFor(List.of("portrait-张三", "portrait-李四"), Duration.ofSeconds(30));

      assertSucceeded(byId.get("portrait-张三"));
      assertSucceeded(byId.get("portrait-李四"));
      assertThat(storedImages(h, byId.get("portrait-张三"))).containsExactly(sha256(zhang));
      assertThat(storedImages(h, byId.get("portrait-李四"))).containsExactly(sha256(li));
      assertThat(h.sim().files()).hasSize(2);
      assertThat(h.sim().counters().uploadOverwrites()).isZero();
      assertThat(h.sim().counters().uploads("base64")).isEqualTo(2);
      assertThat(h.sim().counters().createsAccepted(EDIT_MODEL)).isEqualTo(2);
      assertReady(app);
    }

    @Test
    void twoDifferentImagesInOneRequestAreTwoStoredFilesInTheirOrder() {
      byte[] first = image(3, 1_500);
      byte[] second = image(4, 1_700);
      h.send("k", edit("two-images", dataUri(first), "https://example.com/kept.png", dataUri(second)));

      JsonObject result = h.awaitResultsFor(List.of("two-images"), Duration.ofSeconds(30)).get("two-images");

      assertSucceeded(result);
      JsonArray sent = taskImages(h, result);
      assertThat(sent.getString(1)).isEqualTo("https://example.com/kept.png");
      assertThat(h.sim().fileAt(sent.getString(0))).map(SimFile::sha256).hasValue(sha256(first));
      assertThat(h.sim().fileAt(sent.getString(2))).map(SimFile::sha256).hasValue(sha256(second));
      assertThat(h.sim().files()).hasSize(2);
      assertThat(h.sim().counters().uploadOverwrites()).isZero();
    }

    @Test
    void malformedBase64IsRejectedAsValidationWithNothingUploadedOrPaidAndThePartitionMovesOn() {
      int deadBefore = h.deadLetters().size();
      h.send("k", edit("bad-base64", "data:image/png;base64,iVBORw0KGgo@@@@AAAA"));
      h.send("k", edit("after-bad-base64", dataUri(image(5, 500))));

      Map<String, JsonObject> byId = h.awaitResultsFor(List.of("bad-base64", "after-bad-base64"), Duration.ofSeconds(30));

      JsonObject rejected = byId.get("bad-base64");
      assertThat(rejected.getString("status")).isEqualTo("REJECTED");
      assertThat(rejected.getJsonObject("error").getString("code")).isEqualTo("VALIDATION");
      assertThat(rejected.getJsonObject("error").getString("message"))
          .contains("input.image_urls[0]").contains("base64 data does not decode");
      assertSucceeded(byId.get("after-bad-base64"));
      Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> h.deadLetters().size() > deadBefore);
      assertThat(h.deadLetters().subList(deadBefore, h.deadLetters().size()))
          .singleElement().satisfies(d -> assertThat(WorkerHarness.header(d, "dlq.reason")).isEqualTo("INVALID"));
      assertThat(h.sim().counters().uploads("base64")).as("only the valid request's image").isEqualTo(1);
      assertThat(h.sim().counters().createRequests()).isEqualTo(1);
      assertThat(h.simTasksWithPrompt(WorkerHarness.marker("bad-base64"))).isZero();
      assertReady(app);
    }

    @Test
    void uploadRateLimitedMoreOftenThanTheClientRetriesWaitsAndThenSucceeds() {
      // Four 429s (each with Retry-After: 1): more than the client's own 4 attempts, which used to end
      // the request FAILED after about a second and a half.
      h.sim().script(SimEndpoint.UPLOAD_BASE64, ScriptedResponse.error(429), ScriptedResponse.error(429),
          ScriptedResponse.error(429), ScriptedResponse.error(429));
      byte[] bytes = image(6, 800);
      h.send("k", edit("upload-429", dataUri(bytes)));

      JsonObject result = h.awaitResultsFor(List.of("upload-429"), Duration.ofSeconds(40)).get("upload-429");

      assertSucceeded(result);
      assertThat(result.getInteger("attempts")).isEqualTo(1);
      assertThat(h.sim().counters().rejections(429)).isEqualTo(4);
      assertThat(h.sim().counters().uploads("base64")).isEqualTo(1);
      assertThat(storedImages(h, result)).containsExactly(sha256(bytes));
      assertThat(h.sim().counters().createRequests()).isEqualTo(1);
    }

    @Test
    void uploadServerErrorsBackOffAndThenSucceed() {
      h.sim().script(SimEndpoint.UPLOAD_BASE64, ScriptedResponse.error(500), ScriptedResponse.error(502).withHttpStatus(502),
          ScriptedResponse.error(503).withHttpStatus(503), ScriptedResponse.error(455));
      byte[] bytes = image(7, 800);
      h.send("k", edit("upload-5xx", dataUri(bytes)));

      JsonObject result = h.awaitResultsFor(List.of("upload-5xx"), Duration.ofSeconds(60)).get("upload-5xx");

      assertSucceeded(result);
      assertThat(h.sim().counters().scripted()).isEqualTo(4);
      assertThat(h.sim().counters().uploads("base64")).isEqualTo(1);
      assertThat(storedImages(h, result)).containsExactly(sha256(bytes));
      assertThat(h.sim().counters().createsAccepted(EDIT_MODEL)).isEqualTo(1);
    }

    @Test
    void uploadRefusedAsInvalidFailsAtOnceWithTheClassAndNothingPaid() {
      h.sim().script(SimEndpoint.UPLOAD_BASE64, ScriptedResponse.error(422).withMsg("fileName is not allowed"));
      // One request at a time: two uploads in flight race for the one scripted 422 (their image
      // hashes are computed in parallel), and the second would now and then get it.
      h.send("k", edit("upload-422", dataUri(image(8, 800))));
      h.awaitResultsFor(List.of("upload-422"), Duration.ofSeconds(30));
      h.send("k", edit("after-upload-422", dataUri(image(9, 800))));

      Map<String, JsonObject> byId = h.awaitResultsFor(List.of("upload-422", "after-upload-422"), Duration.ofSeconds(30));

      JsonObject failed = byId.get("upload-422");
      assertThat(failed.getString("status")).isEqualTo("FAILED");
      assertThat(failed.getJsonObject("error").getString("code")).isEqualTo("UPLOAD_FAILED");
      assertThat(failed.getJsonObject("error").getString("message"))
          .contains("PERMANENT (422)").contains("fileName is not allowed");
      assertThat(failed.getJsonObject("error").getBoolean("retryable")).isFalse();
      assertThat(failed.getInteger("attempts")).isZero();
      assertSucceeded(byId.get("after-upload-422"));
      assertThat(h.sim().counters().createRequests()).as("only the second request was paid").isEqualTo(1);
      assertThat(h.simTasksWithPrompt(WorkerHarness.marker("upload-422"))).isZero();
      assertReady(app);
    }

    @Test
    @Order(Integer.MAX_VALUE) // last: the worker stays paused for credits for 30 s
    void uploadRefusedForCreditsPausesIntakeLikeACreateAndKeepsTheRequest() {
      h.sim().script(SimEndpoint.UPLOAD_BASE64, ScriptedResponse.error(402));
      h.send("k", edit("upload-402", dataUri(image(12, 800))));

      Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).untilAsserted(() ->
          assertThat(new JsonObject(get(app, "/health/ready").body()).getJsonArray("pausedFor").getList())
              .contains("credits"));
      assertThat(get(app, "/health/ready").statusCode()).as("no credits is not a broken instance").isEqualTo(200);
      assertThat(h.sim().counters().rejections(402)).isEqualTo(1);
      assertThat(h.resultsFor("upload-402")).as("not failed: the request waits for credits").isEmpty();
      assertThat(app.worker().pendingCount()).isEqualTo(1);
      assertThat(h.sim().counters().createRequests()).isZero();
    }
  }

  @Test
  void aBurstOfLargeInlineImagesStaysWithinTheUploadBoundsAndAllComplete() {
    // 3 uploads at once by count; by bytes 2 MB, i.e. two of the ~0.8 MB bodies below. Kie.ai's
    // uploads are slowed so that whatever the worker starts is seen under way at once.
    SimOptions slowUploads = fastSim();
    slowUploads.faults().uploadDelay(Duration.ofMillis(300));
    try (WorkerHarness h = new WorkerHarness(2, slowUploads)) {
      h.startWorker(Map.of("WORKER_MAX_INFLIGHT_UPLOADS", "3", "WORKER_MAX_UPLOAD_BYTES_INFLIGHT", "2000000"));

      List<String> small = send(h, "small", 12, 2_000);
      Map<String, JsonObject> smallResults = h.awaitResultsFor(small, Duration.ofSeconds(60));
      small.forEach(id -> assertSucceeded(smallResults.get(id)));
      assertThat(h.sim().counters().peakUploadsInFlight()).as("the count bound").isBetween(2L, 3L);

      Await.result(h.sim().reset()); // counters back to zero; the start options keep the delay
      List<String> large = send(h, "large", 10, 600_000); // 800,000 base64 characters each
      Map<String, JsonObject> largeResults = h.awaitResultsFor(large, Duration.ofSeconds(90));

      large.forEach(id -> assertSucceeded(largeResults.get(id)));
      assertThat(h.sim().counters().uploads("base64")).isEqualTo(10);
      assertThat(h.sim().counters().createsAccepted(EDIT_MODEL)).isEqualTo(10);
      assertThat(h.sim().counters().peakUploadsInFlight()).as("the byte bound: two bodies fit, three do not")
          .isEqualTo(2);
      assertThat(h.sim().counters().peakUploadBytesInFlight()).isLessThanOrEqualTo(2_000_000 + 2 * 512);
      assertThat(h.duplicates()).isZero();
    }
  }

  @Test
  void uploadWithARefusedKeyPausesTheInstanceLikeACreateAndKeepsTheRequest() {
    try (WorkerHarness h = new WorkerHarness(1, fastSim())) {
      WorkerApp app = h.startWorker(Map.of());
      assertReadyEventually(app);
      h.sim().script(SimEndpoint.UPLOAD_BASE64, ScriptedResponse.error(401));
      h.send("k", edit("upload-401", dataUri(image(10, 800))));

      Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
        HttpResponse<String> ready = get(app, "/health/ready");
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(new JsonObject(ready.body()).getBoolean("kieKeyAccepted")).isFalse();
      });
      assertThat(h.sim().counters().rejections(401)).isEqualTo(1);
      assertThat(h.resultsFor("upload-401")).as("not failed: the request waits for the key").isEmpty();
      assertThat(app.worker().pendingCount()).isEqualTo(1);
      assertThat(h.sim().counters().createRequests()).isZero();
    }
  }

  @Test
  @Tag("slow")
  void uploadWithARefusedKeySucceedsOnceTheKeyIsAcceptedAgain() {
    try (WorkerHarness h = new WorkerHarness(1, fastSim())) {
      WorkerApp app = h.startWorker(Map.of());
      h.sim().script(SimEndpoint.UPLOAD_BASE64, ScriptedResponse.error(401));
      byte[] bytes = image(11, 800);
      h.send("k", edit("upload-401-then-ok", dataUri(bytes)));

      // The key check runs a minute after the refusal; the simulator accepts the key again by then.
      JsonObject result = h.awaitResultsFor(List.of("upload-401-then-ok"), Duration.ofSeconds(120))
          .get("upload-401-then-ok");

      assertSucceeded(result);
      assertThat(h.sim().fileAt(taskImages(h, result).getString(0))).map(SimFile::sha256).hasValue(sha256(bytes));
      assertThat(h.sim().counters().rejections(401)).isEqualTo(1);
      assertReadyEventually(app);
    }
  }

  // ---- helpers -----------------------------------------------------------------------------------

  private static List<String> send(WorkerHarness h, String prefix, int n, int imageBytes) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String id = prefix + "-" + i;
      ids.add(id);
      h.send(id, edit(id, dataUri(image(100 + i, imageBytes))));
    }
    return ids;
  }

  private static String edit(String id, String... images) {
    return new JsonObject().put("requestId", id).put("model", EDIT_MODEL)
        .put("input", new JsonObject().put("prompt", WorkerHarness.marker(id) + " edit")
            .put("image_urls", new JsonArray(List.of((Object[]) images))))
        .encode();
  }

  /** Random bytes behind a PNG signature (the simulator only sniffs the first bytes). */
  private static byte[] image(long seed, int size) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    byte[] signature = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    System.arraycopy(signature, 0, bytes, 0, signature.length);
    return bytes;
  }

  private static String dataUri(byte[] bytes) {
    return "data:image/png;base64," + Base64.getEncoder().encodeToString(bytes);
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static void assertSucceeded(JsonObject result) {
    assertThat(result).isNotNull();
    assertThat(result.getString("status")).as(result.encode()).isEqualTo("SUCCEEDED");
  }

  /** The image_urls the simulator's task was created with. */
  private static JsonArray taskImages(WorkerHarness h, JsonObject result) {
    var task = h.sim().tasks().find(result.getString("taskId")).orElseThrow();
    return new JsonObject(task.param()).getJsonObject("input").getJsonArray("image_urls");
  }

  /** The digest of the file each image URL of the result's task names now (after any overwrite). */
  private static List<String> storedImages(WorkerHarness h, JsonObject result) {
    List<String> digests = new ArrayList<>();
    for (Object url : taskImages(h, result)) {
      digests.add(h.sim().fileAt((String) url).map(SimFile::sha256).orElse("no stored file at " + url));
    }
    return digests;
  }

  private static HttpResponse<String> get(WorkerApp app, String path) {
    try {
      return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.httpPort() + path))
          .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new AssertionError("GET " + path + " failed", e);
    }
  }

  private static void assertReady(WorkerApp app) {
    assertThat(get(app, "/health/ready").statusCode()).isEqualTo(200);
  }

  private static void assertReadyEventually(WorkerApp app) {
    Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
        .until(() -> get(app, "/health/ready").statusCode() == 200);
  }
}
