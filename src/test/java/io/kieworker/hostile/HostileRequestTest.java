package io.kieworker.hostile;

import static io.kieworker.testing.WorkerHarness.header;
import static io.kieworker.testing.WorkerHarness.marker;
import static io.kieworker.testing.WorkerHarness.request;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Hostile request ids and hostile Kie.ai answers (issue 9, items 8, 14, 17, 18), each against a
 * real broker and the simulator: the specific outcome, no paid call where none may happen, the
 * partition still moving and the instance still ready.
 */
@ExtendWith(KafkaBroker.class)
class HostileRequestTest {
  private static final String PNG_1X1 =
      "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private static SimOptions fastSim() {
    return new SimOptions().latency(SimOptions.ANY_MODEL, Duration.ofMillis(100), Duration.ofMillis(300)).seed(5L);
  }

  @Test
  void badRequestIdsAreRejectedNamingTheRuleUnderTheDerivedIdWithoutAPaidCallAndTheyDoNotStopThePartition() {
    // One partition: every bad id, the non-ASCII id and the valid request after them share it.
    try (WorkerHarness h = new WorkerHarness(1, fastSim())) {
      WorkerApp app = h.startWorker(Map.of());
      // the id -> the rule its rejection must name
      Map<String, String> bad = new LinkedHashMap<>();
      bad.put(".", "requestId: must not be \".\" or \"..\"");
      bad.put("..", "requestId: must not be \".\" or \"..\"");
      bad.put("order\u00071", "requestId: must not contain control characters (U+0007 at character 6)");
      bad.put("tenant/order-1", "requestId: must not contain '/' (U+002F at character 7)");
      bad.put("r".repeat(201), "requestId: must be at most 200 characters, got 201");
      bad.put("   ", "requestId: must not be blank");
      bad.put("", "requestId: must not be blank");
      bad.put("order\u200b42", "requestId: must not contain invisible, unassigned or private-use characters (U+200B");
      List<String> derived = new ArrayList<>();
      int offset = 0;
      for (String id : bad.keySet()) {
        h.send("k-" + offset, request(id, "google/nano-banana", ""));
        derived.add(h.requests + "-0-" + offset++);
      }
      h.send("k-cjk", request("order-张三", "google/nano-banana", ""));
      h.send("k-after", request("after-bad-ids", "google/nano-banana", ""));

      List<String> all = new ArrayList<>(derived);
      all.addAll(List.of("order-张三", "after-bad-ids"));
      Map<String, JsonObject> byId = h.awaitResultsFor(all, Duration.ofSeconds(30));

      int i = 0;
      for (Map.Entry<String, String> rule : bad.entrySet()) {
        String id = derived.get(i++);
        JsonObject result = byId.get(id);
        assertThat(result.getString("status")).as(id).isEqualTo("REJECTED");
        assertThat(result.getInteger("attempts")).as(id).isZero();
        assertThat(result.getJsonObject("error").getString("code")).as(id).isEqualTo("VALIDATION");
        assertThat(result.getJsonObject("error").getString("message")).as(id).contains(rule.getValue());
        ConsumerRecord<String, byte[]> record = h.resultsFor(id).get(0);
        assertThat(record.key()).as("result key = the derived id").isEqualTo(id);
        assertThat(header(record, "ce_id")).isEqualTo(id);
      }
      assertThat(byId.get("order-张三").getString("status")).isEqualTo("SUCCEEDED");
      assertThat(header(h.resultsFor("order-张三").get(0), "ce_id")).isEqualTo("order-张三");
      assertThat(byId.get("after-bad-ids").getString("status")).as("the partition moved on").isEqualTo("SUCCEEDED");
      assertThat(h.duplicates()).isZero();

      Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> h.deadLetters().size() >= bad.size());
      assertThat(h.deadLetters()).hasSize(bad.size()).allSatisfy(d -> {
        assertThat(header(d, "dlq.reason")).isEqualTo("INVALID");
        assertThat(header(d, "dlq.original.topic")).isEqualTo(h.requests);
      });
      assertThat(h.sim().counters().createRequests()).as("only the two valid ids were paid for").isEqualTo(2);
      assertThat(h.simTasksWithPrompt(marker("order-张三"))).isEqualTo(1);
      assertReady(app);
    }
  }

  @Test
  void subKeyQuota433PausesCreatesProbesPeriodicallyAndLosesNoRequest() {
    try (WorkerHarness h = new WorkerHarness(1, fastSim())) {
      WorkerApp app = h.startWorker(Map.of("WORKER_QUOTA_RECHECK", "1s", "WORKER_MAX_INFLIGHT_CREATES", "1"));
      // The quota is reached for the first create and two probes, then back.
      h.sim().script(SimEndpoint.CREATE_TASK,
          ScriptedResponse.error(433), ScriptedResponse.error(433), ScriptedResponse.error(433));
      List<String> ids = List.of("quota-0", "quota-1", "quota-2", "quota-3");
      ids.forEach(id -> h.send(id, request(id, "google/nano-banana", "")));

      Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> h.sim().counters().rejections(433) >= 1);
      Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
        JsonObject ready = readiness(app);
        assertThat(ready.getString("status")).as("a quota pause keeps the instance ready").isEqualTo("UP");
        assertThat(ready.getJsonArray("pausedFor").getList()).containsExactly("quota");
      });
      assertThat(h.results()).as("nothing failed for the quota").isEmpty();

      Map<String, JsonObject> byId = h.awaitResultsFor(ids, Duration.ofSeconds(30));

      ids.forEach(id -> {
        assertThat(byId.get(id).getString("status")).as(id).isEqualTo("SUCCEEDED");
        assertThat(byId.get(id).getInteger("attempts")).as(id).isEqualTo(1);
        assertThat(h.simTasksWithPrompt(marker(id))).as(id).isEqualTo(1);
      });
      assertThat(h.duplicates()).isZero();
      assertThat(h.sim().counters().rejections(433)).isEqualTo(3);
      assertThat(createCalls(h)).as("the first create, two refused probes, then four creates").isEqualTo(7);
      assertThat(h.sim().counters().createsAccepted()).isEqualTo(4);
      assertThat(app.registry().find("kie_worker.partitions.paused").gauge().value()).isZero();

      // A 433 on an inline image's upload pauses the same way; the upload goes again, not FAILED.
      h.sim().script(SimEndpoint.UPLOAD_BASE64, ScriptedResponse.error(433));
      h.send("quota-upload", new JsonObject().put("requestId", "quota-upload").put("model", "google/nano-banana-edit")
          .put("input", new JsonObject().put("prompt", marker("quota-upload") + " edit")
              .put("image_urls", new io.vertx.core.json.JsonArray().add("data:image/png;base64," + PNG_1X1)))
          .encode());
      JsonObject uploaded = h.awaitResultsFor(List.of("quota-upload"), Duration.ofSeconds(30)).get("quota-upload");

      assertThat(uploaded.getString("status")).as(uploaded.encode()).isEqualTo("SUCCEEDED");
      assertThat(h.sim().counters().rejections(433)).isEqualTo(4);
      assertThat(h.sim().counters().uploads("base64")).as("the upload, again after the pause").isEqualTo(1);
      assertThat(h.simTasksWithPrompt(marker("quota-upload"))).isEqualTo(1);

      // A probe refused for another reason (a 500) ends the quota pause; the 500 is retried as usual.
      h.sim().script(SimEndpoint.CREATE_TASK, ScriptedResponse.error(433), ScriptedResponse.error(500));
      h.send("quota-then-500", request("quota-then-500", "google/nano-banana", ""));
      JsonObject after500 = h.awaitResultsFor(List.of("quota-then-500"), Duration.ofSeconds(30)).get("quota-then-500");

      assertThat(after500.getString("status")).as(after500.encode()).isEqualTo("SUCCEEDED");
      assertThat(h.sim().counters().rejections(433)).isEqualTo(5);
      assertThat(h.sim().counters().rejections(500)).isEqualTo(1);
      assertThat(h.simTasksWithPrompt(marker("quota-then-500"))).isEqualTo(1);
      assertThat(app.registry().find("kie_worker.partitions.paused").gauge().value()).isZero();
      assertReady(app);
    }
  }

  @Test
  void successWithoutResultUrlsIsFailedNoResultAndHugeOrBrokenRetryAfterValuesStillComplete() {
    try (WorkerHarness h = new WorkerHarness(1, fastSim())) {
      WorkerApp app = h.startWorker(Map.of("WORKER_MAX_RETRY_AFTER", "2s", "WORKER_CREATE_RATE_WINDOW", "1s"));
      h.send("nr-market", request("no-result-market", "google/nano-banana", "[sim:no-result]"));
      h.send("nr-legacy", new JsonObject().put("requestId", "no-result-legacy").put("model", "google/nano-banana")
          .put("endpoint", "legacy")
          .put("input", new JsonObject().put("prompt", marker("no-result-legacy") + " [sim:no-result]")).encode());
      Map<String, JsonObject> noResult =
          h.awaitResultsFor(List.of("no-result-market", "no-result-legacy"), Duration.ofSeconds(30));

      noResult.values().forEach(r -> {
        assertThat(r.getString("status")).as(r.encode()).isEqualTo("FAILED");
        assertThat(r.getJsonObject("error").getString("code")).isEqualTo("NO_RESULT");
        assertThat(r.getJsonArray("resultUrls")).isEmpty();
        assertThat(r.getInteger("attempts")).as("not submitted again").isEqualTo(1);
        assertThat(r.getString("taskId")).isNotBlank();
      });
      assertThat(h.sim().counters().createsAccepted()).isEqualTo(2);

      // 429s whose Retry-After is Long.MAX_VALUE seconds (overflows milliseconds), a date in year
      // 9999, and garbage: each request waits at most WORKER_MAX_RETRY_AFTER, then is created once.
      h.sim().script(SimEndpoint.CREATE_TASK,
          ScriptedResponse.error(429).withRetryAfter("9223372036854775807"),
          ScriptedResponse.error(429).withRetryAfter("Fri, 31 Dec 9999 23:59:59 GMT"),
          ScriptedResponse.error(429).withRetryAfter("soon, maybe"));
      List<String> ids = List.of("retry-after-huge", "retry-after-date", "retry-after-garbage");
      ids.forEach(id -> h.send(id, request(id, "google/nano-banana", "")));
      Map<String, JsonObject> byId = h.awaitResultsFor(ids, Duration.ofSeconds(30));

      ids.forEach(id -> {
        assertThat(byId.get(id).getString("status")).as(id).isEqualTo("SUCCEEDED");
        assertThat(byId.get(id).getInteger("attempts")).as(id).isEqualTo(1);
        assertThat(h.simTasksWithPrompt(marker(id))).as(id).isEqualTo(1);
      });
      assertThat(h.sim().counters().rejections(429)).isEqualTo(3);
      assertThat(h.sim().counters().createsAccepted()).isEqualTo(5);
      assertThat(h.duplicates()).isZero();
      assertReady(app);
    }
  }

  @Test
  void retriesScheduledBeforeShutdownNeverReachKieAfterShutdownBegan() {
    try (WorkerHarness h = new WorkerHarness(1, fastSim())) {
      // A create that never answers keeps the stop draining (up to half the shutdown timeout, or
      // until the create times out); a second request's create retries with backoff meanwhile.
      WorkerApp app = h.startWorker(Map.of("WORKER_SHUTDOWN_TIMEOUT", "20s", "KIE_REQUEST_TIMEOUT", "12s"));
      h.sim().script(SimEndpoint.CREATE_TASK, ScriptedResponse.hangUp());
      h.send("stop-hang", request("stop-hang", "google/nano-banana", ""));
      Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> h.sim().counters().hangs() >= 1);
      // Three 500s: the third retry is due 2-4 s later (backoff with jitter), well inside the drain.
      h.sim().script(SimEndpoint.CREATE_TASK,
          ScriptedResponse.error(500), ScriptedResponse.error(500), ScriptedResponse.error(500));
      h.send("stop-retry", request("stop-retry", "google/nano-banana", ""));
      Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> h.sim().counters().rejections(500) >= 3);

      long createsAtStop = createCalls(h);
      h.stopWorker(app);

      assertThat(createsAtStop).as("the hung create and three refused ones").isEqualTo(4);
      assertThat(createCalls(h)).as("no create after shutdown began").isEqualTo(createsAtStop);
      assertThat(h.sim().counters().createsAccepted()).isZero();
      assertThat(h.results()).as("both stay pending in the ledger for the next owner").isEmpty();
    }
  }

  /** Every create call that reached the simulator, scripted answers included. */
  private static long createCalls(WorkerHarness h) {
    var c = h.sim().counters();
    return c.createRequests() + c.legacyCreateRequests() + c.scripted();
  }

  private static void assertReady(WorkerApp app) {
    Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(readiness(app).getString("status")).isEqualTo("UP"));
  }

  private static JsonObject readiness(WorkerApp app) throws Exception {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + app.httpPort() + "/health/ready")).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
    JsonObject body = new JsonObject(response.body());
    assertThat(response.statusCode()).as(body.encode()).isEqualTo("UP".equals(body.getString("status")) ? 200 : 503);
    return body;
  }
}
