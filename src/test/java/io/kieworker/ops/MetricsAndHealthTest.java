package io.kieworker.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.kieworker.sim.ScriptedResponse;
import io.kieworker.sim.SimEndpoint;
import io.kieworker.sim.SimOptions;
import io.kieworker.testing.KafkaBroker;
import io.kieworker.testing.WorkerHarness;
import io.kieworker.worker.WorkerApp;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(KafkaBroker.class)
class MetricsAndHealthTest {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private static SimOptions fastSim() {
    return new SimOptions().latency("*", Duration.ofMillis(100), Duration.ofMillis(200)).seed(11L);
  }

  @Test
  void metricsCoverEveryListedNameAndScrapesAreNotCounted() {
    try (WorkerHarness h = new WorkerHarness(2, fastSim())) {
      WorkerApp app = h.startWorker(Map.of());
      AtomicInteger gets = new AtomicInteger();
      awaitReady(app, gets);
      h.send("a", WorkerHarness.request("m-1", "google/nano-banana", ""));
      h.send("b", WorkerHarness.request("m-2", "nano-banana-pro", ""));
      h.send("c", "{\"requestId\":\"m-bad\",\"model\":\"nano-banana-pro\",\"input\":{\"prompt\":\"\"}}");
      h.awaitResults(3, Duration.ofSeconds(60));
      HttpResponse<String> forged = post(app, "/callbacks/kie/0/m-1?token=wrong", "{\"code\":200,\"data\":{}}");
      assertThat(forged.statusCode()).isBetween(400, 499);

      String metrics = get(app, "/metrics").body();
      for (String name : List.of(
          "kie_worker_requests_consumed_total 3.0",
          "kie_worker_requests_rejected_total{reason=",
          "kie_worker_creates_total{model=\"nano-banana-pro\",outcome=\"created\"}",
          "kie_worker_create_latency_seconds_bucket{model=",
          "kie_worker_polls_total{outcome=",
          "kie_worker_callbacks_total{reason=",
          "kie_worker_pending_tasks ",
          "kie_worker_creates_inflight ",
          "kie_worker_end_to_end_seconds_bucket{model=",
          "kie_worker_results_total{status=\"SUCCEEDED\"} 2.0",
          "kie_worker_results_total{status=\"REJECTED\"} 1.0",
          "kie_worker_credits_remaining ",
          "kie_worker_credits_consumed_count{model=",
          "kie_worker_rate_limit_waits_total ",
          "kie_worker_rate_limit_429_total ",
          "kie_worker_partitions_paused ",
          "vertx_http_server_requests_total",
          "kafka_consumer_fetch_manager_records_consumed_total",
          "kie_client=\"requests\"",
          "kie_client=\"ledger\"",
          "kafka_producer_record_send_total",
          "jvm_memory_used_bytes")) {
        assertThat(metrics).as(name).contains(name);
      }
      assertThat(metrics).as("end-to-end by model").containsPattern("kie_worker_end_to_end_seconds_count\\{model=\"google/nano-banana\"");

      // Every GET so far except the scrapes went to /health/*: the server counts exactly those.
      get(app, "/health/live");
      gets.incrementAndGet();
      for (int i = 0; i < 3; i++) {
        get(app, "/metrics");
      }
      assertThat(sumOf(get(app, "/metrics").body(), "vertx_http_server_requests_total", "method=\"GET\""))
          .isEqualTo(gets.get());
    }
  }

  @Test
  void liveAndReadyWhenTheWorkerHasItsAssignmentThenNotReadyDuringShutdown() {
    try (WorkerHarness h = new WorkerHarness(1, fastSim())) {
      WorkerApp app = h.startWorker(Map.of("WORKER_SHUTDOWN_TIMEOUT", "6s", "KIE_REQUEST_TIMEOUT", "20s"));
      assertThat(get(app, "/health/live").statusCode()).isEqualTo(200);
      awaitReady(app, new AtomicInteger());
      JsonObject ready = new JsonObject(get(app, "/health/ready").body());
      assertThat(ready.getString("status")).isEqualTo("UP");
      assertThat(ready.getJsonArray("partitions").getList()).containsExactly(0);

      // A create that never answers keeps the stop draining for a while (half the shutdown timeout).
      h.sim().script(SimEndpoint.CREATE_TASK, ScriptedResponse.hangUp());
      h.send("k", WorkerHarness.request("hang-1", "google/nano-banana", ""));
      Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> gauge(get(app, "/metrics").body(), "kie_worker_creates_inflight") >= 1);
      io.vertx.core.Future<Void> stopped = app.stop();
      Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20)).untilAsserted(() -> {
        HttpResponse<String> r = get(app, "/health/ready");
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(new JsonObject(r.body()).getString("reason")).isEqualTo("shutting down");
      });
      io.kieworker.testing.Await.result(stopped, Duration.ofSeconds(30));
    }
  }

  @Test
  void notReadyWithAJsonReasonWhenKieRefusesTheKey() {
    try (WorkerHarness h = new WorkerHarness(1, fastSim())) {
      WorkerApp app = h.startWorker(Map.of("KIE_API_KEY", "some-other-key-that-the-simulator-refuses"));
      assertThat(get(app, "/health/live").statusCode()).isEqualTo(200);
      HttpResponse<String> ready = get(app, "/health/ready");
      assertThat(ready.statusCode()).isEqualTo(503);
      assertThat(ready.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).contains("json"));
      JsonObject body = new JsonObject(ready.body());
      assertThat(body.getString("status")).isEqualTo("DOWN");
      assertThat(body.getString("reason")).contains("401");
      assertThat(body.getBoolean("kieKeyAccepted")).isFalse();
      assertThat(ready.body()).doesNotContain("some-other-key");
    }
  }

  private static void awaitReady(WorkerApp app, AtomicInteger gets) {
    Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
      gets.incrementAndGet();
      return get(app, "/health/ready").statusCode() == 200;
    });
  }

  /** Sum of the samples of one Prometheus metric whose labels contain {@code labelPart}. */
  static double sumOf(String scrape, String metric, String labelPart) {
    double sum = 0;
    for (String line : scrape.split("\n")) {
      if (line.startsWith(metric + "{") && line.contains(labelPart)) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }

  static double gauge(String scrape, String metric) {
    for (String line : scrape.split("\n")) {
      if (line.startsWith(metric + " ")) {
        return Double.parseDouble(line.substring(metric.length() + 1));
      }
    }
    return Double.NaN;
  }

  static HttpResponse<String> get(WorkerApp app, String path) {
    return send(HttpRequest.newBuilder(uri(app, path)).timeout(Duration.ofSeconds(10)).GET().build());
  }

  static HttpResponse<String> post(WorkerApp app, String path, String body) {
    return send(HttpRequest.newBuilder(uri(app, path)).timeout(Duration.ofSeconds(10))
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build());
  }

  private static URI uri(WorkerApp app, String path) {
    return URI.create("http://127.0.0.1:" + app.httpPort() + path);
  }

  private static HttpResponse<String> send(HttpRequest request) {
    try {
      return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new AssertionError(request.uri() + ": " + e, e);
    }
  }
}
