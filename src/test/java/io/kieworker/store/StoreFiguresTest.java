package io.kieworker.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.kieworker.config.StoreConfig;
import io.kieworker.result.StoredCopy;
import io.kieworker.sim.SimOptions;
import io.kieworker.testing.Await;
import io.kieworker.testing.KafkaBroker;
import io.kieworker.testing.S3Server;
import io.kieworker.testing.WorkerHarness;
import io.kieworker.tools.Percentiles;
import io.kieworker.worker.WorkerApp;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Figures of the result store (docs/benchmarks.md), in one run against the real broker, the
 * simulator (512×512 noise PNGs, ~0.75 MB each: the size of a real 1K image) and s3rver:
 * <ol>
 *   <li>copy throughput: {@value #COPIES} images through {@link S3ResultStore#copy} with
 *       {@value #CONCURRENCY} copies in flight (images/s, MB/s);</li>
 *   <li>one copy alone, {@value #ALONE} in a row: its latency p50/p99;</li>
 *   <li>completion → result latency (Kie.ai's completeTime to the worker's publishedAt, trusted
 *       callbacks) for {@value #REQUESTS} requests sent at {@value #REQUEST_RATE}/s with the store
 *       off, then on: p50/p99 and the difference.</li>
 * </ol>
 * Run: {@code mvn -B -o test -Dtest=StoreFiguresTest -DexcludedTestGroups=none}. Prints one
 * "store figures:" block.
 */
@Tag("slow")
@ExtendWith({KafkaBroker.class, S3Server.class})
class StoreFiguresTest {
  static final int COPIES = 200;
  static final int CONCURRENCY = 16;
  static final int REQUESTS = 100;
  static final int ALONE = 20;
  static final int REQUEST_RATE = 20;
  private static final String HMAC = "store-figures-hmac-key";

  @Test
  void copyThroughputAndAddedCompletionToResultLatency() throws Exception {
    String bucket = S3Server.createBucket("store-figures");
    SimOptions sim = new SimOptions().latency(SimOptions.ANY_MODEL, Duration.ofMillis(500), Duration.ofMillis(1500))
        .rateLimit(0, Duration.ofSeconds(10)).resultImagePixels(512).webhookHmacKey(HMAC).seed(137L);
    try (WorkerHarness h = new WorkerHarness(3, sim)) {
      Copies copies = copyThroughput(h, bucket);
      long[] alone = copies.aloneMillis;

      Map<String, String> trusted = WorkerHarness.with(WorkerHarness.callbackMode(),
          Map.of("WORKER_CALLBACK_TRUST", "token", "KIE_WEBHOOK_HMAC_KEY", HMAC));
      WorkerApp off = h.startWorker(trusted);
      long[] offLatency = completionToResult(h, "off", List.of());
      h.stopWorker(off);
      Map<String, String> on = new HashMap<>(trusted);
      on.putAll(ResultStoreFlowTest.storeEnv(bucket, S3Server.endpoint()));
      h.startWorker(on);
      long[] onLatency = completionToResult(h, "on", List.of());

      String figures = String.format(Locale.ROOT, """
          store figures:
            copy throughput: %d images (%.1f MB) in %.2f s with %d in flight: %.1f images/s, %.1f MB/s
            one copy alone (download + upload of one image, %d in a row): p50 %d ms, p99 %d ms
            completion -> result (%d requests at %d/s, trusted callbacks), store off: p50 %d ms, p99 %d ms
            completion -> result (same), store on: p50 %d ms, p99 %d ms
            added by the store: p50 %+d ms, p99 %+d ms""",
          COPIES, copies.bytes / 1e6, copies.seconds, CONCURRENCY, COPIES / copies.seconds,
          copies.bytes / 1e6 / copies.seconds, alone.length, p(alone, 0.5), p(alone, 0.99),
          REQUESTS, REQUEST_RATE, p(offLatency, 0.5), p(offLatency, 0.99),
          p(onLatency, 0.5), p(onLatency, 0.99),
          p(onLatency, 0.5) - p(offLatency, 0.5), p(onLatency, 0.99) - p(offLatency, 0.99));
      System.out.println(figures);
      assertThat(onLatency).hasSize(REQUESTS);
      assertThat(S3Server.list(bucket)).hasSize(COPIES + REQUESTS + ALONE);
    }
  }

  private record Copies(long bytes, double seconds, long[] aloneMillis) {}

  /** Creates COPIES finished simulator tasks, then copies their images with CONCURRENCY in flight. */
  private Copies copyThroughput(WorkerHarness h, String bucket) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    List<String> urls = new ArrayList<>();
    for (int i = 0; i < COPIES + ALONE; i++) {
      String body = new JsonObject().put("model", "google/nano-banana").put("input",
          new JsonObject().put("prompt", "figures " + i + " [sim:latency=0ms]").put("output_format", "png")).encode();
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(h.sim().baseUrl() + "/api/v1/jobs/createTask"))
          .header("Authorization", "Bearer " + WorkerHarness.API_KEY).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
      urls.add(h.sim().baseUrl() + "/results/" + new JsonObject(r.body()).getJsonObject("data").getString("taskId") + ".png");
    }
    Vertx vertx = Vertx.vertx();
    try {
      StoreConfig config = new StoreConfig(bucket, "figures", URI.create(S3Server.endpoint()), null, null,
          Duration.ofMinutes(1), Set.of("127.0.0.1"), 50L << 20);
      S3ResultStore store = Await.result(vertx.executeBlocking(() -> S3ResultStore.create(vertx, config)),
          Duration.ofSeconds(30));
      long[] alone = new long[ALONE];
      for (int i = 0; i < ALONE; i++) {
        String url = urls.remove(urls.size() - 1);
        long t = System.nanoTime();
        Promise<StoredCopy> one = Promise.promise();
        int n = i;
        vertx.runOnContext(v -> store.copy(new ResultStore.Job("alone-" + n, "a" + n, "google/nano-banana",
            Instant.now(), Map.of(), List.of(url))).onComplete(one));
        assertThat(Await.result(one.future(), Duration.ofSeconds(60)).error()).isNull();
        alone[i] = (System.nanoTime() - t) / 1_000_000;
      }
      java.util.Arrays.sort(alone);
      AtomicLong bytes = new AtomicLong();
      long start = System.nanoTime();
      Promise<Void> all = Promise.promise();
      AtomicInteger next = new AtomicInteger();
      AtomicInteger done = new AtomicInteger();
      vertx.runOnContext(v -> {
        for (int i = 0; i < CONCURRENCY; i++) {
          copyNext(store, urls, next, done, bytes, all);
        }
      });
      Await.result(all.future(), Duration.ofMinutes(5));
      double seconds = (System.nanoTime() - start) / 1e9;
      Await.result(store.close(), Duration.ofSeconds(30));
      return new Copies(bytes.get(), seconds, alone);
    } finally {
      vertx.close();
    }
  }

  private static void copyNext(S3ResultStore store, List<String> urls, AtomicInteger next, AtomicInteger done,
      AtomicLong bytes, Promise<Void> all) {
    int n = next.getAndIncrement();
    if (n >= urls.size()) {
      return;
    }
    Future<StoredCopy> copy = store.copy(new ResultStore.Job("figures-" + n, "t" + n, "google/nano-banana",
        Instant.now(), Map.of(), List.of(urls.get(n))));
    copy.onComplete(ar -> {
      if (ar.failed() || ar.result().error() != null) {
        all.tryFail(ar.failed() ? ar.cause().toString() : ar.result().error().toString());
        return;
      }
      bytes.addAndGet(ar.result().stored().get(0).bytes());
      if (done.incrementAndGet() == urls.size()) {
        all.tryComplete();
      } else {
        copyNext(store, urls, next, done, bytes, all);
      }
    });
  }

  /** Sends REQUESTS requests and returns publishedAt - completedAt of each result, sorted (ms). */
  private static long[] completionToResult(WorkerHarness h, String phase, Collection<String> unused) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < REQUESTS; i++) {
      String id = "fig-" + phase + "-" + i;
      ids.add(id);
      h.send(id, ResultStoreFlowTest.request(id, "png", "acme"));
      // Paced at REQUEST_RATE per second (test thread): ~15 MB/s of images, under the copy throughput,
      // so the figure is the copy's own latency rather than a queue behind a burst.
      java.util.concurrent.locks.LockSupport.parkNanos(1_000_000_000L / REQUEST_RATE);
    }
    Map<String, JsonObject> byId = h.awaitResultsFor(ids, Duration.ofMinutes(3));
    return ids.stream().map(byId::get).mapToLong(r -> {
      JsonObject t = r.getJsonObject("timings");
      return Instant.parse(t.getString("publishedAt")).toEpochMilli() - Instant.parse(t.getString("completedAt")).toEpochMilli();
    }).sorted().toArray();
  }

  private static long p(long[] sorted, double q) {
    return Percentiles.of(sorted, q);
  }
}
