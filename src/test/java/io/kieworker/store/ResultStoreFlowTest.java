package io.kieworker.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.kieworker.net.FreePorts;
import io.kieworker.sim.SimOptions;
import io.kieworker.testing.KafkaBroker;
import io.kieworker.testing.S3Server;
import io.kieworker.testing.WorkerHarness;
import io.kieworker.worker.WorkerApp;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The result store end to end (issue 13): real broker, the simulator serving real image bytes at
 * its own result URLs, and a real S3-API server (s3rver).
 */
@ExtendWith({KafkaBroker.class, S3Server.class})
class ResultStoreFlowTest {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private static SimOptions sim() {
    return new SimOptions().latency(SimOptions.ANY_MODEL, Duration.ofMillis(200), Duration.ofMillis(400))
        .rateLimit(0, Duration.ofSeconds(10)).seed(131L);
  }

  static Map<String, String> storeEnv(String bucket, String endpoint) {
    Map<String, String> env = new HashMap<>();
    env.put("WORKER_RESULT_STORE", "s3://" + bucket + "/results");
    env.put("WORKER_RESULT_STORE_ENDPOINT", endpoint);
    env.put("WORKER_RESULT_FETCH_ALLOW_HTTP", "127.0.0.1");
    return env;
  }

  @Test
  void everyResultImageIsCopiedWithItsBytesAndMetadataBeforeTheResultIsPublished() throws Exception {
    String bucket = S3Server.createBucket("store-flow");
    try (WorkerHarness h = new WorkerHarness(2, sim())) {
      Map<String, String> env = storeEnv(bucket, S3Server.endpoint());
      env.put("WORKER_RESULT_STORE_PRESIGN", "15m");
      WorkerApp app = h.startWorker(env);
      h.send("png-1", request("png-1", "png", "acme"));
      h.send("jpeg-1", request("jpeg-1", "jpeg", "beta"));
      Map<String, JsonObject> byId = h.awaitResultsFor(List.of("png-1", "jpeg-1"), Duration.ofSeconds(60));

      List<S3Object> objects = S3Server.list(bucket);
      assertThat(objects).hasSize(2);
      for (String id : List.of("png-1", "jpeg-1")) {
        JsonObject result = byId.get(id);
        assertThat(result.getString("status")).as(id).isEqualTo("SUCCEEDED");
        assertThat(result.containsKey("storeError")).as(id).isFalse();
        String kieUrl = result.getJsonArray("resultUrls").getString(0);
        assertThat(kieUrl).as("resultUrls stay Kie.ai's").startsWith(h.sim().baseUrl() + "/results/");
        byte[] original = download(kieUrl);
        String sha = HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(original));

        JsonObject stored = result.getJsonArray("stored").getJsonObject(0);
        String key = stored.getString("key");
        String type = id.startsWith("png") ? "image/png" : "image/jpeg";
        assertThat(key).startsWith("results/google_nano-banana/").matches(".*/[0-9a-f]{32}/0\\." + (id.startsWith("png") ? "png" : "jpg"));
        assertThat(stored.getLong("bytes")).isEqualTo(original.length);
        assertThat(stored.getString("sha256")).isEqualTo(sha);
        assertThat(stored.getString("contentType")).isEqualTo(type);

        assertThat(S3Server.get(bucket, key)).as("the object's bytes are the image's").isEqualTo(original);
        HeadObjectResponse head = S3Server.head(bucket, key);
        assertThat(head.contentType()).isEqualTo(type);
        assertThat(head.contentLength()).isEqualTo(original.length);
        assertThat(head.metadata()).containsEntry("sha256", sha).containsEntry("request-id", id)
            .containsEntry("tenant", id.startsWith("png") ? "acme" : "beta")
            .containsEntry("task-id", result.getString("taskId"));

        String storedUrl = result.getJsonArray("storedUrls").getString(0);
        assertThat(storedUrl).as("a presigned URL").startsWith(S3Server.endpoint() + "/" + bucket + "/" + key)
            .contains("X-Amz-Signature=");
        assertThat(download(storedUrl)).as("the presigned URL serves the copy").isEqualTo(original);
      }
      assertThat(counter(app, "stored")).isEqualTo(2);
      assertThat(counter(app, "failed")).isZero();
      assertThat(h.sim().counters().resultDownloads()).as("the test's own 2 + the worker's 2").isEqualTo(4);
    }
  }

  @Test
  void aStoreThatIsDownPastTheMaxWaitGivesSucceededWithStoreErrorAndTheKieUrls() {
    String nowhere = "http://127.0.0.1:" + FreePorts.pick(); // nothing listens there
    try (WorkerHarness h = new WorkerHarness(1, sim())) {
      Map<String, String> env = storeEnv("down-bucket", nowhere);
      env.put("WORKER_RESULT_STORE_MAX_WAIT", "3s");
      WorkerApp app = h.startWorker(env);
      h.send("down-1", request("down-1", "png", "acme"));
      JsonObject result = h.awaitResultsFor(List.of("down-1"), Duration.ofSeconds(60)).get("down-1");

      assertThat(result.getString("status")).isEqualTo("SUCCEEDED");
      assertThat(result.getJsonArray("resultUrls")).hasSize(1);
      assertThat(result.containsKey("storedUrls")).isFalse();
      assertThat(result.getJsonObject("storeError").getString("code")).isEqualTo(StoreFailure.UNAVAILABLE);
      assertThat(result.getJsonObject("storeError").getString("message")).contains("gave up after 3 s");
      assertThat(counter(app, "failed")).isEqualTo(1);
      assertThat(counter(app, "stored")).isZero();
      assertThat(h.duplicates()).isZero();
    }
  }

  @Test
  void aResultUrlOnAPrivateAddressIsNotFetchedUnlessItsHostIsAllowListed() {
    String bucket = S3Server.createBucket("store-refused");
    try (WorkerHarness h = new WorkerHarness(1, sim())) {
      Map<String, String> env = storeEnv(bucket, S3Server.endpoint());
      env.remove("WORKER_RESULT_FETCH_ALLOW_HTTP");
      WorkerApp app = h.startWorker(env);
      h.send("private-1", request("private-1", "png", "acme"));
      JsonObject result = h.awaitResultsFor(List.of("private-1"), Duration.ofSeconds(60)).get("private-1");

      assertThat(result.getString("status")).isEqualTo("SUCCEEDED");
      assertThat(result.getJsonObject("storeError").getString("code")).isEqualTo(StoreFailure.FETCH_REFUSED);
      assertThat(result.getJsonObject("storeError").getString("message")).contains("only https");
      assertThat(h.sim().counters().resultDownloads()).as("never fetched").isZero();
      assertThat(S3Server.list(bucket)).isEmpty();
      assertThat(counter(app, "failed")).isEqualTo(1);
    }
  }

  static String request(String id, String format, String tenant) {
    return new JsonObject().put("requestId", id).put("model", "google/nano-banana")
        .put("input", new JsonObject().put("prompt", "a banana " + id).put("output_format", format))
        .put("metadata", new JsonObject().put("tenant", tenant))
        .encode();
  }

  static byte[] download(String url) throws Exception {
    HttpResponse<byte[]> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
        .build(), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(response.statusCode()).as(url).isEqualTo(200);
    return response.body();
  }

  static double counter(WorkerApp app, String outcome) {
    Counter c = app.registry().find("kie_worker.result.store").tag("outcome", outcome).counter();
    return c == null ? 0 : c.count();
  }

}
