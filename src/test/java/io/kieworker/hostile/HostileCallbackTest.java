package io.kieworker.hostile;

import static io.kieworker.testing.WorkerHarness.callbackMode;
import static io.kieworker.testing.WorkerHarness.marker;
import static io.kieworker.testing.WorkerHarness.request;
import static io.kieworker.testing.WorkerHarness.with;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.kieworker.callback.WebhookSignature;
import io.kieworker.config.ConfigException;
import io.kieworker.config.ConfigLoader;
import io.kieworker.callback.CallbackRoute;
import io.kieworker.sim.ScriptedResponse;
import io.kieworker.sim.SimEndpoint;
import io.kieworker.sim.SimOptions;
import io.kieworker.sim.SimTask;
import io.kieworker.testing.KafkaBroker;
import io.kieworker.testing.WorkerHarness;
import io.kieworker.worker.WorkerApp;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * Hostile callbacks (issue 9 items 11-13): callbacks of an earlier attempt, token trust without a
 * signature key, unsigned or unconfirmed bodies, oversized bodies, bad tokens with large bodies and
 * floods of forgeries. Each worker start runs several cases and ends with the instance ready and
 * a later request on the same partition succeeding.
 */
@ExtendWith(KafkaBroker.class)
class HostileCallbackTest {
  private static final String HMAC_KEY = "hostile-webhook-hmac-key";
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final String MODEL = "google/nano-banana";

  /**
   * One worker in confirm mode. The first attempt fails with 500 and is resubmitted; the second
   * create's answer is lost (ambiguous). A replay of the first task's callback must not be adopted
   * for the second attempt: before attempts were bound, it was, its 500 was read and the request
   * paid a third time. Then: bad tokens are refused before the body is read, bodies over 64 KB get
   * 413 without being buffered, and a flood of forgeries is counted but logged a few times only.
   */
  @Test
  void callbacksOfAnotherAttemptBadTokensLargeBodiesAndFloodsChangeNothing() throws Exception {
    SimOptions sim = new SimOptions().latency(SimOptions.ANY_MODEL, Duration.ofSeconds(1)).seed(7L);
    try (WorkerHarness h = new WorkerHarness(1, sim)) {
      h.sim().faults().failRatio(1.0).failCode("500");
      h.sim().script(SimEndpoint.CREATE_TASK, ScriptedResponse.normal(), ScriptedResponse.hangUp().createFirst());
      WorkerApp app = h.startWorker(with(callbackMode(),
          Map.of("KIE_REQUEST_TIMEOUT", "500ms", "WORKER_RESUBMIT_5XX", "2")));

      staleAttemptCallbackIsIgnoredAfterA5xxResubmission(h, app);
      aBadTokenIsRefusedBeforeTheBodyIsRead(h, app);
      aBodyOver64KbWithAGoodTokenGets413WithoutBeingBuffered(h, app);
      aFloodOfForgedCallbacksIsCountedButLoggedAFewTimes(app);

      assertReadyAndPartitionMoving(h, app, "r-after-flood");
      assertThat(h.duplicates()).isZero();
    }
  }

  private void staleAttemptCallbackIsIgnoredAfterA5xxResubmission(WorkerHarness h, WorkerApp app) throws Exception {
    h.send("stale", request("r-stale", MODEL, ""));
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> h.sim().tasks().size() == 1);
    h.sim().faults().failRatio(0); // the first task fails with 500, every later one succeeds
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> h.sim().tasks().size() == 2);
    SimTask first = h.sim().tasks().all().stream().filter(SimTask::willFail).findFirst().orElseThrow();
    SimTask second = h.sim().tasks().all().stream().filter(t -> !t.willFail()).findFirst().orElseThrow();
    assertThat(first.callBackUrl()).contains("attempt=1&");
    assertThat(second.callBackUrl()).contains("attempt=2&");

    // Kie.ai retrying (or anyone replaying) the first task's callback while the second create is in doubt.
    assertThat(post(URI.create(first.callBackUrl()), failBody(first.taskId(), "500"), Map.of()).statusCode())
        .as("recorded: the token is good for attempt 1").isEqualTo(200);
    String unbound = "http://127.0.0.1:" + app.httpPort() + "/callbacks/kie/0/r-stale?token="
        + WorkerHarness.callbackToken("r-stale");
    assertThat(post(URI.create(unbound), failBody(first.taskId(), "500"), Map.of()).statusCode())
        .as("a URL without attempt (written before attempts were bound) is still accepted").isEqualTo(200);
    String otherAttempt = first.callBackUrl().replace("attempt=1&", "attempt=2&");
    assertThat(post(URI.create(otherAttempt), failBody(first.taskId(), "500"), Map.of()).statusCode())
        .as("attempt 1's token is not attempt 2's").isEqualTo(403);

    JsonObject result = h.awaitResultsFor(List.of("r-stale"), Duration.ofSeconds(20)).get("r-stale");
    assertThat(result.getString("status")).as(result.encode()).isEqualTo("SUCCEEDED");
    assertThat(result.getString("taskId")).as("the second attempt's task").isEqualTo(second.taskId());
    assertThat(h.sim().counters().createRequests()).as("paid twice, not three times").isEqualTo(2);
    assertThat(h.simTasksWithPrompt(marker("r-stale"))).isEqualTo(2);
    assertThat(counter(app, "ignored", "stale-attempt")).as("both replays ignored by the owner").isEqualTo(2);
    assertThat(counter(app, "rejected", "token")).isEqualTo(1);
  }

  /**
   * A body of 200 KB is announced (under the old 256 KB buffer) and only 1 KB is sent: the answer
   * comes without the rest, so the route did not wait for (or buffer) the body to check the token.
   */
  private void aBadTokenIsRefusedBeforeTheBodyIsRead(WorkerHarness h, WorkerApp app) throws IOException {
    double before = counter(app, "rejected", "token");
    String status = rawPost(app, "/callbacks/kie/0/r-stale?attempt=1&token=forged", 200 * 1024, 1024);
    assertThat(status).startsWith("HTTP/1.1 403");
    status = rawPost(app, "/callbacks/kie/0/r-stale?token=" + "A".repeat(43), 200 * 1024, 1024);
    assertThat(status).as("an unbound URL with a bad token").startsWith("HTTP/1.1 403");
    assertThat(counter(app, "rejected", "token")).isEqualTo(before + 2);
    assertReady(app);
  }

  private void aBodyOver64KbWithAGoodTokenGets413WithoutBeingBuffered(WorkerHarness h, WorkerApp app)
      throws Exception {
    double accepted = counter(app, "accepted", "ok");
    String path = "/callbacks/kie/0/r-big?attempt=1&token="
        + URLEncoder.encode(WorkerHarness.callbackToken("r-big", 1), StandardCharsets.UTF_8);
    assertThat(rawPost(app, path, 100 * 1024, 0)).as("declared 100 KB, nothing sent").startsWith("HTTP/1.1 413");
    assertThat(rawChunkedPost(app, path, 64 * 1024 + 1)).as("chunked, no length declared").startsWith("HTTP/1.1 413");
    JsonObject padded = new JsonObject(failBody("0123abcd", "500"))
        .put("pad", "x".repeat(100 * 1024));
    assertThat(post(URI.create("http://127.0.0.1:" + app.httpPort() + path), padded.encode(), Map.of()).statusCode())
        .as("a whole 100 KB body").isEqualTo(413);
    assertThat(counter(app, "rejected", "too-large")).isEqualTo(3);
    assertThat(counter(app, "accepted", "ok")).as("nothing recorded").isEqualTo(accepted);
    assertReady(app);
  }

  private void aFloodOfForgedCallbacksIsCountedButLoggedAFewTimes(WorkerApp app) throws Exception {
    Logger routeLog = (Logger) LoggerFactory.getLogger(CallbackRoute.class);
    // Refusals are logged at INFO; a test run earlier in this JVM (demo, bench) may have quieted it.
    ch.qos.logback.classic.Level level = routeLog.getLevel();
    routeLog.setLevel(ch.qos.logback.classic.Level.INFO);
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.setContext(routeLog.getLoggerContext());
    lines.start();
    routeLog.addAppender(lines);
    double tokens = counter(app, "rejected", "token");
    double partitions = counter(app, "rejected", "partition");
    double attempts = counter(app, "rejected", "attempt");
    int n = 100;
    try {
      String base = "http://127.0.0.1:" + app.httpPort() + "/callbacks/kie/";
      for (int i = 0; i < n; i++) {
        String body = failBody("forged" + i, "500");
        assertThat(post(URI.create(base + "0/r-flood-" + i + "?attempt=1&token=forged" + i), body, Map.of())
            .statusCode()).isEqualTo(403);
        assertThat(post(URI.create(base + "9/r-flood-" + i + "?attempt=1&token=x"), body, Map.of()).statusCode())
            .isEqualTo(400);
        assertThat(post(URI.create(base + "0/r-flood-" + i + "?attempt=-" + i + "&token=x"), body, Map.of())
            .statusCode()).isEqualTo(400);
      }
    } finally {
      routeLog.detachAppender(lines);
      lines.stop();
      routeLog.setLevel(level);
    }
    assertThat(counter(app, "rejected", "token")).isEqualTo(tokens + n);
    assertThat(counter(app, "rejected", "partition")).isEqualTo(partitions + n);
    assertThat(counter(app, "rejected", "attempt")).isEqualTo(attempts + n);
    // At most one line per reason per 10 s: three reasons, the flood may straddle one window edge.
    assertThat(lines.list).as("log lines for %d refusals", 3 * n).hasSizeBetween(1, 6);
    assertThat(lines.list).allSatisfy(e -> assertThat(e.getFormattedMessage()).doesNotContain("token="));
    assertReady(app);
  }

  /**
   * Token trust: refused at config load without a webhook key; with the key, an unsigned body is
   * refused, and a signed body saying "fail 500" (the signature covers the task id, not the body)
   * only triggers a confirming read, never a paid resubmission.
   */
  @Test
  void tokenTrustNeedsTheWebhookKeyRefusesUnsignedBodiesAndConfirmsBeforeResubmitting() throws Exception {
    try (WorkerHarness h = new WorkerHarness(1, new SimOptions()
        .latency(SimOptions.ANY_MODEL, Duration.ofMillis(200), Duration.ofMillis(400)).seed(3L)
        .webhookHmacKey(HMAC_KEY))) {
      Map<String, String> tokenMode = with(callbackMode(), Map.of("WORKER_CALLBACK_TRUST", "token"));
      assertThatThrownBy(() -> ConfigLoader.load(null, h.env(tokenMode)))
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("WORKER_CALLBACK_TRUST")
          .hasMessageContaining("KIE_WEBHOOK_HMAC_KEY");

      WorkerApp app = h.startWorker(with(tokenMode, Map.of("KIE_WEBHOOK_HMAC_KEY", HMAC_KEY)));
      h.send("slow", request("r-fake-fail", MODEL, "[sim:latency=6s]"));
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> h.sim().tasks().size() == 1);
      SimTask task = h.sim().tasks().all().iterator().next();
      URI url = URI.create(task.callBackUrl());

      assertThat(post(url, failBody(task.taskId(), "500"), Map.of()).statusCode()).as("unsigned").isEqualTo(401);
      assertThat(counter(app, "rejected", "signature-missing")).isEqualTo(1);
      Awaitility.await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(3))
          .until(() -> h.sim().counters().recordInfoPolls() == 0 && h.sim().counters().createRequests() == 1);

      long now = Instant.now().getEpochSecond();
      Map<String, String> signed = Map.of(WebhookSignature.TIMESTAMP_HEADER, Long.toString(now),
          WebhookSignature.SIGNATURE_HEADER, new WebhookSignature(HMAC_KEY).sign(task.taskId(), now));
      assertThat(post(url, failBody(task.taskId(), "500"), signed).statusCode()).as("signed, body lies").isEqualTo(200);
      Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> h.sim().counters().recordInfoPolls() == 1);
      Awaitility.await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(3))
          .until(() -> h.sim().counters().createRequests() == 1 && h.results().isEmpty());
      assertThat(counter(app, "confirming", "fail-5xx")).isEqualTo(1);

      JsonObject result = h.awaitResultsFor(List.of("r-fake-fail"), Duration.ofSeconds(20)).get("r-fake-fail");
      assertThat(result.getString("status")).as(result.encode()).isEqualTo("SUCCEEDED");
      assertThat(result.getString("taskId")).isEqualTo(task.taskId());
      assertThat(h.sim().counters().createRequests()).as("never resubmitted").isEqualTo(1);

      assertReadyAndPartitionMoving(h, app, "r-after-token");
      assertThat(h.duplicates()).isZero();
    }
  }

  // ---- helpers ----------------------------------------------------------------------------------

  private static void assertReadyAndPartitionMoving(WorkerHarness h, WorkerApp app, String requestId)
      throws Exception {
    assertReady(app);
    h.send(requestId, request(requestId, MODEL, ""));
    JsonObject later = h.awaitResultsFor(List.of(requestId), Duration.ofSeconds(20)).get(requestId);
    assertThat(later.getString("status")).as(later.encode()).isEqualTo("SUCCEEDED");
    assertReady(app);
  }

  private static void assertReady(WorkerApp app) {
    try {
      URI url = URI.create("http://127.0.0.1:" + app.httpPort() + "/health/ready");
      HttpResponse<String> ready = HTTP.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
    } catch (IOException | InterruptedException e) {
      throw new AssertionError("health/ready unreachable", e);
    }
  }

  private static double counter(WorkerApp app, String result, String reason) {
    Counter c = app.registry().find("kie_worker.callbacks").tags("result", result, "reason", reason).counter();
    return c == null ? 0 : c.count();
  }

  private static String failBody(String taskId, String failCode) {
    return new JsonObject().put("code", 501).put("msg", "failed")
        .put("data", new JsonObject().put("taskId", taskId).put("state", "fail").put("failCode", failCode)
            .put("failMsg", "internal error"))
        .encode();
  }

  private static HttpResponse<String> post(URI url, String body, Map<String, String> headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(request::header);
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Announces {@code declared} bytes, sends {@code sent} of them and returns the status line. */
  private static String rawPost(WorkerApp app, String path, int declared, int sent) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", app.httpPort())) {
      socket.setSoTimeout(10_000); // the bound of this wait: an answer never comes if the body is awaited
      OutputStream out = socket.getOutputStream();
      out.write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
          + "Content-Length: " + declared + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(new byte[sent]);
      out.flush();
      return statusLine(socket);
    }
  }

  /** Sends {@code total} bytes as 8 KB chunks (the last one crossing the cap) and returns the status line. */
  private static String rawChunkedPost(WorkerApp app, String path, int total) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", app.httpPort())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
          + "Transfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      for (int left = total; left > 0; left -= 8192) {
        int size = Math.min(8192, left);
        out.write((Integer.toHexString(size) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(new byte[size]);
        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
      }
      return statusLine(socket);
    }
  }

  private static String statusLine(Socket socket) throws IOException {
    BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
    String line = in.readLine();
    return line == null ? "(connection closed without an answer)" : line;
  }
}
