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
 * instance to the same in-process simulator, {@code inFlight} requests at a time. Without Kafka its
 * rate is an upper bound for the worker in the throughput scenario: the worker does this and its
 * Kafka work on the same cores. With {@code writes} it also makes a request's five acks=all writes
 * in the worker's order, each waited for (acceptance, SUBMITTING, create, SUBMITTED, read, result,
 * TERMINAL), but none of the worker's reading, parsing, fencing or bookkeeping: the bare minimum of
 * the protocol, a tighter upper bound.
 */
final class HttpCeiling {
  private static final String AUTHORIZATION = "Bearer " + Bench.API_KEY;

  private HttpCeiling() {}

  /** Where the bare pipeline writes its records: a plain producer (acks=all, idempotent) and a topic. */
  record Writes(org.apache.kafka.clients.producer.Producer<String, byte[]> producer, String topic, byte[] value) {}

  /** Pairs (create + status read) per second over {@code pairs}, {@code inFlight} at a time. */
  static double pairsPerSecond(String baseUrl, int pairs, int inFlight, Duration timeout) {
    return pairsPerSecond(baseUrl, pairs, inFlight, timeout, null);
  }

  /** The same, each pair with a request's five durable writes around it when {@code writes} is set. */
  static double pairsPerSecond(String baseUrl, int pairs, int inFlight, Duration timeout, Writes writes) {
    URI base = URI.create(baseUrl);
    if (writes != null) {
      // Metadata fetched here, on the calling thread: a send then never waits for it on the event loop.
      writes.producer().partitionsFor(writes.topic());
    }
    Vertx vertx = Vertx.vertx();
    try {
      HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true)
          .setDefaultHost(base.getHost()).setDefaultPort(base.getPort()), new PoolOptions().setHttp1MaxSize(Math.min(inFlight, 64)));
      Buffer body = new JsonObject().put("model", Bench.MODEL)
          .put("input", new JsonObject().put("prompt", "a benchmark banana ")).toBuffer();
      AtomicInteger started = new AtomicInteger();
      Promise<Void> done = Promise.promise();
      AtomicInteger finished = new AtomicInteger();
      long start = System.nanoTime();
      vertx.runOnContext(v -> {
        for (int i = 0; i < inFlight; i++) {
          next(client, body, pairs, started, finished, done, writes);
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
      Promise<Void> done, Writes writes) {
    int i = started.getAndIncrement();
    if (i >= pairs) {
      return;
    }
    request(client, body, writes, "p-" + i).onComplete(ar -> {
      if (ar.failed()) {
        done.tryFail(ar.cause());
        return;
      }
      if (finished.incrementAndGet() == pairs) {
        done.tryComplete();
      }
      next(client, body, pairs, started, finished, done, writes);
    });
  }

  /** One request's calls, with its five writes in the worker's order when {@code writes} is set. */
  private static Future<Void> request(HttpClient client, Buffer body, Writes writes, String key) {
    return write(writes, key) // acceptance
        .compose(v -> write(writes, key)) // SUBMITTING
        .compose(v -> send(client, HttpMethod.POST, "/api/v1/jobs/createTask", body))
        .map(created -> created.getJsonObject("data").getString("taskId"))
        .compose(taskId -> write(writes, key).map(taskId)) // SUBMITTED
        .compose(taskId -> send(client, HttpMethod.GET, "/api/v1/jobs/recordInfo?taskId=" + taskId, null))
        .compose(read -> write(writes, key)) // the result
        .compose(v -> write(writes, key)); // TERMINAL
  }

  /** One acks=all write, completed on the caller's context once the broker acknowledged it; none without {@code writes}. */
  private static Future<Void> write(Writes writes, String key) {
    if (writes == null) {
      return Future.succeededFuture();
    }
    io.vertx.core.Context context = Vertx.currentContext();
    Promise<Void> acked = Promise.promise();
    writes.producer().send(new org.apache.kafka.clients.producer.ProducerRecord<>(writes.topic(), key, writes.value()),
        (meta, e) -> context.runOnContext(v -> {
          if (e != null) {
            acked.fail(e);
          } else {
            acked.complete();
          }
        }));
    return acked.future();
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
