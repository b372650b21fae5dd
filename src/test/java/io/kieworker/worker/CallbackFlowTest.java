package io.kieworker.worker;

import static io.kieworker.testing.WorkerHarness.callbackMode;
import static io.kieworker.testing.WorkerHarness.marker;
import static io.kieworker.testing.WorkerHarness.request;
import static io.kieworker.testing.WorkerHarness.with;
import static org.assertj.core.api.Assertions.assertThat;

import io.kieworker.callback.WebhookSignature;
import io.kieworker.sim.ScriptedResponse;
import io.kieworker.sim.SimEndpoint;
import io.kieworker.sim.SimOptions;
import io.kieworker.sim.SimTask;
import io.kieworker.testing.KafkaBroker;
import io.kieworker.testing.WorkerHarness;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Callback mode: completions by callback, lost callbacks, ambiguous creates, forged callbacks. */
@ExtendWith(KafkaBroker.class)
class CallbackFlowTest {
  private static final String HMAC_KEY = "sim-webhook-hmac-key-42";
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private static SimOptions fastSim() {
    return new SimOptions().latency(SimOptions.ANY_MODEL, Duration.ofMillis(200), Duration.ofMillis(400)).seed(3L);
  }

  @Test
  void tasksCompleteThroughCallbacksWithOneConfirmingPollEach() {
    int n = 10;
    try (WorkerHarness h = new WorkerHarness(3, fastSim())) {
      h.startWorker(callbackMode());
      List<String> ids = send(h, "cb", n, "");

      Map<String, JsonObject> byId = h.awaitResultsFor(ids, Duration.ofSeconds(25));

      assertThat(h.missing(ids)).isEmpty();
      assertThat(h.duplicates()).isZero();
      ids.forEach(id -> assertThat(byId.get(id).getString("status")).as(id).isEqualTo("SUCCEEDED"));
      ids.forEach(id -> assertThat(h.simTasksWithPrompt(marker(id))).as(id).isEqualTo(1));
      assertThat(h.sim().tasks().all()).allSatisfy(t -> assertThat(t.callBackUrl()).contains("/callbacks/kie/"));
      assertThat(h.sim().counters().callbacksSucceeded()).isEqualTo(n);
      // No safety-net poll is due yet (first one at >= 60 s): every poll confirms a callback.
      assertThat(h.sim().counters().recordInfoPolls()).isBetween((long) n, (long) n + 2);
    }
  }

  @Test
  void trustedCallbacksCompleteTasksWithoutAnyStatusRead() {
    int n = 5;
    try (WorkerHarness h = new WorkerHarness(2, fastSim().webhookHmacKey(HMAC_KEY))) {
      h.startWorker(with(callbackMode(), Map.of("WORKER_CALLBACK_TRUST", "token", "KIE_WEBHOOK_HMAC_KEY", HMAC_KEY)));
      List<String> ids = send(h, "trust", n, "");
      h.send("trust-fail", request("trust-fail", "google/nano-banana", "[sim:fail=422]"));

      Map<String, JsonObject> byId = h.awaitResultsFor(plus(ids, "trust-fail"), Duration.ofSeconds(20));

      assertThat(h.duplicates()).isZero();
      ids.forEach(id -> {
        JsonObject r = byId.get(id);
        assertThat(r.getString("status")).as(id).isEqualTo("SUCCEEDED");
        assertThat(r.getJsonArray("resultUrls").getString(0)).as("the URL the callback carried")
            .isEqualTo(h.sim().tasks().find(r.getString("taskId")).orElseThrow().resultUrl());
        assertThat(h.simTasksWithPrompt(marker(id))).as(id).isEqualTo(1);
      });
      assertThat(byId.get("trust-fail").getString("status")).isEqualTo("FAILED");
      assertThat(byId.get("trust-fail").getJsonObject("error").getString("code")).isEqualTo("422");
      assertThat(h.sim().counters().callbacksSucceeded()).isEqualTo(n + 1);
      assertThat(h.sim().counters().recordInfoPolls()).as("no confirming read").isZero();
    }
  }

  @Test
  void legacyTasksCompleteThroughTheirFlatCallbacks() {
    try (WorkerHarness h = new WorkerHarness(2, fastSim())) {
      h.startWorker(callbackMode());
      for (String id : List.of("legacy-0", "legacy-1")) {
        h.send(id, new JsonObject().put("requestId", id).put("model", "google/nano-banana").put("endpoint", "legacy")
            .put("input", new JsonObject().put("prompt", marker(id) + " legacy").put("steps", 30)).encode());
      }

      Map<String, JsonObject> byId = h.awaitResultsFor(List.of("legacy-0", "legacy-1"), Duration.ofSeconds(20));

      assertThat(h.duplicates()).isZero();
      byId.values().forEach(r -> {
        assertThat(r.getString("status")).as(r.encode()).isEqualTo("SUCCEEDED");
        assertThat(r.getJsonArray("resultUrls")).isNotEmpty();
      });
      assertThat(h.sim().counters().legacyCreateRequests()).isEqualTo(2);
      assertThat(h.sim().counters().callbacksSucceeded()).isEqualTo(2);
      assertThat(h.sim().counters().legacyRecordInfoPolls()).as("one confirming read each").isBetween(2L, 3L);
    }
  }

  /**
   * The safety-net poll of callback mode comes at max(3 x expected, 60 s), but never after the
   * deadline: with a 4 s deadline the last poll before TIMED_OUT finds the task done.
   */
  @Test
  void aLostCallbackIsCaughtByThePollAtTheDeadline() {
    try (WorkerHarness h = new WorkerHarness(2, fastSim())) {
      h.startWorker(with(callbackMode(), Map.of("WORKER_DEADLINE", "4s")));
      h.send("lost", request("r-lost", "google/nano-banana", "[sim:no-callback]"));
      h.send("kept", request("r-kept", "google/nano-banana", ""));

      Map<String, JsonObject> byId = h.awaitResultsFor(List.of("r-lost", "r-kept"), Duration.ofSeconds(20));

      assertThat(byId.get("r-lost").getString("status")).as(byId.get("r-lost").encode()).isEqualTo("SUCCEEDED");
      assertThat(byId.get("r-kept").getString("status")).isEqualTo("SUCCEEDED");
      assertThat(h.duplicates()).isZero();
      assertThat(h.sim().counters().createsAccepted()).isEqualTo(2);
      assertThat(h.sim().counters().callbacksDropped()).isEqualTo(1);
      assertThat(h.sim().counters().callbacksSucceeded()).isEqualTo(1);
      assertThat(h.sim().counters().recordInfoPolls()).isBetween(2L, 3L);
    }
  }

  /** Default deadline: the lost callback waits for the first safety-net poll, about 60 s. */
  @Test
  @Tag("slow")
  void aLostCallbackIsCaughtByTheSafetyNetPoll() {
    try (WorkerHarness h = new WorkerHarness(1, fastSim())) {
      h.startWorker(callbackMode());
      h.send("lost", request("r-lost-slow", "google/nano-banana", "[sim:no-callback]"));

      JsonObject result = h.awaitResultsFor(List.of("r-lost-slow"), Duration.ofSeconds(90)).get("r-lost-slow");

      assertThat(result.getString("status")).isEqualTo("SUCCEEDED");
      assertThat(h.duplicates()).isZero();
      assertThat(h.sim().counters().createsAccepted()).isEqualTo(1);
      assertThat(h.sim().counters().callbacksDropped()).isEqualTo(1);
      assertThat(h.sim().counters().recordInfoPolls()).isEqualTo(1);
    }
  }

  @Test
  void anAmbiguousCreateIsResolvedByItsCallbackWithoutASecondTask() {
    try (WorkerHarness h = new WorkerHarness(1, new SimOptions()
        .latency(SimOptions.ANY_MODEL, Duration.ofMillis(1500)).seed(5L))) {
      h.sim().script(SimEndpoint.CREATE_TASK, ScriptedResponse.hangUp().createFirst());
      h.startWorker(with(callbackMode(), Map.of("KIE_REQUEST_TIMEOUT", "500ms")));
      h.send("amb", request("r-amb", "google/nano-banana", ""));

      JsonObject result = h.awaitResultsFor(List.of("r-amb"), Duration.ofSeconds(10)).get("r-amb");

      assertThat(result.getString("status")).as(result.encode()).isEqualTo("SUCCEEDED");
      assertThat(h.duplicates()).isZero();
      assertThat(h.sim().counters().hangs()).isEqualTo(1);
      assertThat(h.sim().counters().createRequests()).as("no resubmission").isEqualTo(1);
      assertThat(h.simTasksWithPrompt(marker("r-amb"))).isEqualTo(1);
      SimTask task = h.sim().tasks().all().iterator().next();
      assertThat(result.getString("taskId")).as("the callback's task was adopted").isEqualTo(task.taskId());
      assertThat(h.sim().counters().callbacksSucceeded()).isEqualTo(1);
    }
  }

  @Test
  void forgedCallbacksAreRefusedAndChangeNothing() throws Exception {
    try (WorkerHarness h = new WorkerHarness(1, fastSim())) {
      WorkerApp app = h.startWorker(callbackMode());
      h.send("forged", request("r-forged", "google/nano-banana", "[sim:latency=12s]"));
      SimTask task = awaitSimTask(h);

      assertThat(postCallback(app, "0", "r-forged", "not-the-token", task.taskId(), Map.of()).statusCode())
          .isEqualTo(403);
      assertThat(postCallback(app, "0", "r-forged", WorkerHarness.callbackToken("r-other"), task.taskId(), Map.of())
          .statusCode()).as("a token for another request").isEqualTo(403);
      assertThat(postCallback(app, "7", "r-forged", WorkerHarness.callbackToken("r-forged"), task.taskId(), Map.of())
          .statusCode()).as("a partition that does not exist").isEqualTo(400);
      // A well-formed callback naming a task that is not this request's is recorded but ignored.
      assertThat(postCallback(app, "0", "r-forged", WorkerHarness.callbackToken("r-forged"), "0123abcd", Map.of())
          .statusCode()).isEqualTo(200);

      Awaitility.await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3))
          .until(() -> h.results().isEmpty() && h.sim().counters().recordInfoPolls() == 0);

      JsonObject result = h.awaitResultsFor(List.of("r-forged"), Duration.ofSeconds(40)).get("r-forged");
      assertThat(result.getString("status")).isEqualTo("SUCCEEDED");
      assertThat(result.getString("taskId")).isEqualTo(task.taskId());
      assertThat(h.duplicates()).isZero();
      assertThat(h.sim().counters().createsAccepted()).isEqualTo(1);
      assertThat(h.sim().counters().callbacksSucceeded()).isEqualTo(1);
    }
  }

  @Test
  void signedCallbacksAreAcceptedAndATamperedSignatureIsRefused() throws Exception {
    try (WorkerHarness h = new WorkerHarness(1, fastSim().webhookHmacKey(HMAC_KEY))) {
      WorkerApp app = h.startWorker(with(callbackMode(), Map.of("KIE_WEBHOOK_HMAC_KEY", HMAC_KEY)));
      List<String> quick = send(h, "signed", 3, "");
      h.awaitResultsFor(quick, Duration.ofSeconds(20));
      assertThat(h.sim().counters().callbacksSucceeded()).as("the simulator's signed callbacks").isEqualTo(3);
      assertThat(h.sim().counters().callbackAttempts()).as("each accepted at once").isEqualTo(3);
      long pollsBefore = h.sim().counters().recordInfoPolls();

      h.send("pending", request("r-signed-slow", "google/nano-banana", "[sim:latency=12s]"));
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> h.sim().tasks().size() == 4);
      SimTask task = h.sim().tasks().all().stream()
          .filter(t -> t.promptHead().contains(marker("r-signed-slow"))).findFirst().orElseThrow();
      String token = WorkerHarness.callbackToken("r-signed-slow");
      long now = Instant.now().getEpochSecond();
      String good = new WebhookSignature(HMAC_KEY).sign(task.taskId(), now);
      String tampered = new WebhookSignature(HMAC_KEY).sign(task.taskId() + "x", now);

      assertThat(postCallback(app, "0", "r-signed-slow", token, task.taskId(), signature(now, tampered)).statusCode())
          .isEqualTo(401);
      assertThat(postCallback(app, "0", "r-signed-slow", token, task.taskId(), Map.of()).statusCode())
          .as("unsigned").isEqualTo(401);
      assertThat(postCallback(app, "0", "r-signed-slow", token, task.taskId(),
          signature(now - 3600, new WebhookSignature(HMAC_KEY).sign(task.taskId(), now - 3600))).statusCode())
          .as("stale").isEqualTo(401);
      Awaitility.await().during(Duration.ofMillis(1000)).atMost(Duration.ofSeconds(3))
          .until(() -> h.sim().counters().recordInfoPolls() == pollsBefore);

      assertThat(postCallback(app, "0", "r-signed-slow", token, task.taskId(), signature(now, good)).statusCode())
          .isEqualTo(200);
      Awaitility.await().atMost(Duration.ofSeconds(5))
          .until(() -> h.sim().counters().recordInfoPolls() == pollsBefore + 1);

      JsonObject result = h.awaitResultsFor(List.of("r-signed-slow"), Duration.ofSeconds(40)).get("r-signed-slow");
      assertThat(result.getString("status")).isEqualTo("SUCCEEDED");
      assertThat(h.duplicates()).isZero();
      assertThat(h.sim().counters().createsAccepted()).isEqualTo(4);
      assertThat(h.sim().counters().callbacksSucceeded()).isEqualTo(4);
    }
  }

  private static List<String> send(WorkerHarness h, String prefix, int n, String promptExtra) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String id = prefix + "-" + i;
      ids.add(id);
      h.send(id, request(id, "google/nano-banana", promptExtra));
    }
    return ids;
  }

  private static List<String> plus(List<String> ids, String more) {
    List<String> all = new ArrayList<>(ids);
    all.add(more);
    return all;
  }

  private static SimTask awaitSimTask(WorkerHarness h) {
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> h.sim().tasks().size() == 1);
    return h.sim().tasks().all().iterator().next();
  }

  private static Map<String, String> signature(long timestamp, String signature) {
    return Map.of(WebhookSignature.TIMESTAMP_HEADER, Long.toString(timestamp),
        WebhookSignature.SIGNATURE_HEADER, signature);
  }

  private static HttpResponse<String> postCallback(WorkerApp app, String partition, String requestId, String token,
      String taskId, Map<String, String> headers) throws IOException, InterruptedException {
    String body = new JsonObject().put("code", 200).put("msg", "success")
        .put("data", new JsonObject().put("taskId", taskId).put("state", "success")
            .put("resultJson", "{\"resultUrls\":[\"https://evil.example/x.png\"]}"))
        .encode();
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.httpPort()
            + "/callbacks/kie/" + partition + "/" + URLEncoder.encode(requestId, StandardCharsets.UTF_8)
            + "?token=" + URLEncoder.encode(token, StandardCharsets.UTF_8)))
        .timeout(Duration.ofSeconds(5))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(request::header);
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
