package io.kieworker.sim;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.ext.web.multipart.MultipartForm;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** An in-process simulator on a free port plus a WebClient pointed at it; every wait is bounded. */
final class SimHarness implements AutoCloseable {
  static final String KEY = "test-key-1234";
  static final Duration WAIT = Duration.ofSeconds(10);

  final Vertx vertx = Vertx.vertx();
  final WebClient client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1"));
  final KieSimulator sim;

  SimHarness(SimOptions options) {
    sim = await(KieSimulator.start(vertx, options.apiKey(KEY)));
  }

  /** Defaults for fast tests: every task finishes immediately. */
  static SimOptions instant() {
    return new SimOptions().latency(SimOptions.ANY_MODEL, Duration.ZERO).seed(42L);
  }

  static <T> T await(Future<T> future) {
    return await(future, WAIT);
  }

  static <T> T await(Future<T> future, Duration atMost) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(atMost.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError("future did not complete: " + e, e);
    }
  }

  HttpResponse<Buffer> post(String path, JsonObject body) {
    return await(client.post(sim.port(), "127.0.0.1", path)
        .putHeader("Authorization", "Bearer " + KEY).sendJsonObject(body));
  }

  HttpResponse<Buffer> postWithKey(String path, String authorization, JsonObject body) {
    var req = client.post(sim.port(), "127.0.0.1", path);
    if (authorization != null) {
      req.putHeader("Authorization", authorization);
    }
    return await(req.sendJsonObject(body));
  }

  HttpResponse<Buffer> postForm(String path, MultipartForm form) {
    return await(client.post(sim.port(), "127.0.0.1", path)
        .putHeader("Authorization", "Bearer " + KEY).sendMultipartForm(form));
  }

  HttpResponse<Buffer> get(String pathAndQuery) {
    return await(client.get(sim.port(), "127.0.0.1", pathAndQuery)
        .putHeader("Authorization", "Bearer " + KEY).send());
  }

  HttpResponse<Buffer> admin(String path, JsonObject body) {
    return await(client.post(sim.port(), "127.0.0.1", path).sendJsonObject(body));
  }

  JsonObject record(String taskId) {
    return get("/api/v1/jobs/recordInfo?taskId=" + taskId).bodyAsJsonObject();
  }

  String createMarket(JsonObject body) {
    JsonObject answer = post("/api/v1/jobs/createTask", body).bodyAsJsonObject();
    if (answer.getInteger("code") != 200) {
      throw new AssertionError("create refused: " + answer.encode());
    }
    return answer.getJsonObject("data").getString("taskId");
  }

  static JsonObject nanoBanana(String prompt) {
    return new JsonObject().put("model", "google/nano-banana")
        .put("input", new JsonObject().put("prompt", prompt).put("output_format", "png").put("image_size", "1:1"));
  }

  @Override
  public void close() {
    try {
      await(sim.close());
    } finally {
      await(vertx.close());
    }
  }
}
