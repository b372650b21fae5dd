package io.kieworker.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kieworker.callback.WebhookSignature;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class KieSimulatorCallbackTest {
  private static final String HMAC_KEY = "hmac-test-key";

  private SimHarness h;
  private HttpServer receiver;
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final AtomicInteger answerStatus = new AtomicInteger(200);

  record Received(JsonObject body, String timestamp, String signature) {}

  @BeforeEach
  void start() {
    h = new SimHarness(SimHarness.instant().webhookHmacKey(HMAC_KEY)
        .callbackRetryDelay(Duration.ofMillis(50)).callbackTimeout(Duration.ofSeconds(2)));
    receiver = SimHarness.await(h.vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
      received.add(new Received(b.toJsonObject(), req.getHeader(WebhookSignature.TIMESTAMP_HEADER),
          req.getHeader(WebhookSignature.SIGNATURE_HEADER)));
      req.response().setStatusCode(answerStatus.get()).end("{\"code\":200,\"msg\":\"success\"}");
    })).listen(0, "127.0.0.1"));
  }

  @AfterEach
  void stop() {
    SimHarness.await(receiver.close());
    h.close();
  }

  private String callbackUrl() {
    return "http://127.0.0.1:" + receiver.actualPort() + "/kie/callback";
  }

  @Test
  void successCallbackCarriesTheRecordAndAValidSignature() {
    JsonObject request = SimHarness.nanoBanana("with callback").put("callBackUrl", callbackUrl());
    String taskId = h.createMarket(request);
    await().atMost(Duration.ofSeconds(5)).until(() -> received.size() == 1);
    Received cb = received.get(0);
    assertThat(cb.body().getInteger("code")).isEqualTo(200);
    JsonObject data = cb.body().getJsonObject("data");
    assertThat(data.getString("taskId")).isEqualTo(taskId);
    assertThat(data.getString("state")).isEqualTo("success");
    assertThat(new JsonObject(data.getString("param"))).isEqualTo(request);
    assertThat(new WebhookSignature(HMAC_KEY).verify(taskId, cb.timestamp(), cb.signature(), Instant.now()))
        .isEqualTo(WebhookSignature.Verdict.VALID);
    await().atMost(Duration.ofSeconds(2)).until(() -> h.sim.counters().callbacksSucceeded() == 1);
    assertThat(h.sim.counters().callbacksSent()).isEqualTo(1);
  }

  @Test
  void failedTaskCallsBackWith501() {
    h.createMarket(SimHarness.nanoBanana("fails [sim:fail=500]").put("callBackUrl", callbackUrl()));
    await().atMost(Duration.ofSeconds(5)).until(() -> received.size() == 1);
    assertThat(received.get(0).body().getInteger("code")).isEqualTo(501);
    assertThat(received.get(0).body().getJsonObject("data").getString("failCode")).isEqualTo("500");
  }

  @Test
  void receiverErrorsAreRetriedThreeTimesThenGivenUp() {
    answerStatus.set(500);
    h.createMarket(SimHarness.nanoBanana("retry me").put("callBackUrl", callbackUrl()));
    await().atMost(Duration.ofSeconds(5)).until(() -> h.sim.counters().callbacksFailed() == 1);
    assertThat(received).hasSize(3);
    assertThat(h.sim.counters().callbackAttempts()).isEqualTo(3);
    assertThat(h.sim.counters().callbacksSucceeded()).isZero();
  }

  @Test
  void noCallbackDirectiveDropsIt() {
    h.createMarket(SimHarness.nanoBanana("quiet [sim:no-callback]").put("callBackUrl", callbackUrl()));
    String loud = h.createMarket(SimHarness.nanoBanana("loud").put("callBackUrl", callbackUrl()));
    await().atMost(Duration.ofSeconds(5)).until(() -> received.size() == 1);
    assertThat(received.get(0).body().getJsonObject("data").getString("taskId")).isEqualTo(loud);
    assertThat(h.sim.counters().callbacksDropped()).isEqualTo(1);
  }

  @Test
  void legacyCallbackCarriesTheLegacyRecord() {
    h.post("/api/v1/nano-banana/generate", new JsonObject().put("prompt", "legacy cb")
        .put("callBackUrl", callbackUrl()));
    await().atMost(Duration.ofSeconds(5)).until(() -> received.size() == 1);
    JsonObject data = received.get(0).body().getJsonObject("data");
    assertThat(data.getInteger("successFlag")).isEqualTo(1);
    assertThat(data.getString("imageUrl")).startsWith("http://127.0.0.1:").contains("/results/");
  }
}
