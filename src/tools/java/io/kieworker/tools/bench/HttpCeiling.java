package io.kieworker.tools.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The HTTP part of a request alone: {@code createTask} then one {@code recordInfo}, the least a
 * poll-only worker sends Kie.ai per request, from a bare Vert.x HTTP client on its own Vert.x
 * instance to the same in-process simulator, {@code inFlight} requests at a time, no Kafka. Its
 * rate is an upper bound for the worker in the throughput scenario: the worker does this and its
 * Kafka work on the same cores.
 */
final class HttpCeiling {
  private static final String AUTHORIZATION = "Bearer " + Bench.API_KEY;

  private HttpCeiling() {}

  /** Pairs (create + status read) per second over {@code pairs}, {@code inFlight} at a time. */
  static double pairsPerSecond(String baseUrl, int pairs, int inFlight, Duration timeout) {
    URI base = URI.create(baseUrl);
    Vertx vertx = Vertx.vertx();
    try {
      HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true)
          .setDefaultHost(base.getHost()).setDefaultPort(base.getPort()), new PoolOptions().setHttp1MaxSize(inFlight));
      Buffer body = new JsonObject().put("model", Bench.MODEL)
          .put("input", new JsonObject().put("prompt", "a benchmark banana ")).toBuffer();
      AtomicInteger started = new AtomicInteger();
      Promise<Void> done = Promise.promise();
      AtomicInteger finished = new AtomicInteger();
      long start = System.nanoTime();
      vertx.runOnContext(v -> {
        for (int i = 0; i < inFlight; i++) {
          next(client, body, pairs, started, finished, done);
        }
      });
      Bench.await(done.future(), timeout, "the HTTP ceiling loop");
      return pairs / ((System.nanoTime() - start) / 1e9);
    } finally {
      vertx.close();
    }
  }

  /** One chain: pairs one after another until {@code pairs} were started in all chains together. */
  private static void next(HttpClient client, Buffer body, int pairs, AtomicInteger started, AtomicInteger finished,
      Promise<Void> done) {
    if (started.getAndIncrement() >= pairs) {
      return;
    }
    pair(client, body).onComplete(ar -> {
      if (ar.failed()) {
        done.tryFail(ar.cause());
        return;
      }
      if (finished.incrementAndGet() == pairs) {
        done.tryComplete();
      }
      next(client, body, pairs, started, finished, done);
    });
  }

  private static Future<Void> pair(HttpClient client, Buffer body) {
    return send(client, HttpMethod.POST, "/api/v1/jobs/createTask", body)
        .map(created -> created.getJsonObject("data").getString("taskId"))
        .compose(taskId -> send(client, HttpMethod.GET, "/api/v1/jobs/recordInfo?taskId=" + taskId, null))
        .mapEmpty();
  }

  private static Future<JsonObject> send(HttpClient client, HttpMethod method, String uri, Buffer body) {
    RequestOptions options = new RequestOptions().setMethod(method).setURI(uri)
        .putHeader("Authorization", AUTHORIZATION).putHeader("Content-Type", "application/json");
    return client.request(options)
        .compose(request -> body == null ? request.send() : request.send(body))
        .compose(response -> response.body().map(b -> {
          if (response.statusCode() != 200) {
            throw new IllegalStateException(method + " " + uri + ": HTTP " + response.statusCode());
          }
          return new JsonObject(b);
        }));
  }
}
