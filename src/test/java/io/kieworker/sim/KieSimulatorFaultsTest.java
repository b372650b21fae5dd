package io.kieworker.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class KieSimulatorFaultsTest {

  @Test
  void twentyFirstCreateWithinTheWindowIsHttp429WithRetryAfter() {
    try (SimHarness h = new SimHarness(SimHarness.instant())) {
      for (int i = 0; i < 20; i++) {
        h.createMarket(SimHarness.nanoBanana("n" + i));
      }
      HttpResponse<Buffer> limited = h.post("/api/v1/jobs/createTask", SimHarness.nanoBanana("one too many"));
      assertThat(limited.statusCode()).isEqualTo(429);
      assertThat(limited.bodyAsJsonObject().getInteger("code")).isEqualTo(429);
      assertThat(Integer.parseInt(limited.getHeader("Retry-After"))).isBetween(1, 10);
      assertThat(h.sim.counters().rateLimited()).isEqualTo(1);
      assertThat(h.sim.tasks().size()).isEqualTo(20);
      // polling is not rate limited by the create limit
      assertThat(h.get("/api/v1/chat/credit").bodyAsJsonObject().getInteger("code")).isEqualTo(200);
    }
  }

  @Test
  void httpStatusErrorsMirrorsTheBodyCode() {
    try (SimHarness h = new SimHarness(SimHarness.instant().httpStatusErrors(true))) {
      HttpResponse<Buffer> unauthorized = h.postWithKey("/api/v1/jobs/createTask", "Bearer wrong",
          SimHarness.nanoBanana("x"));
      assertThat(unauthorized.statusCode()).isEqualTo(401);
      assertThat(unauthorized.bodyAsJsonObject().getInteger("code")).isEqualTo(401);
      HttpResponse<Buffer> invalid = h.post("/api/v1/jobs/createTask",
          new JsonObject().put("model", "google/nano-banana").put("input", new JsonObject()));
      assertThat(invalid.statusCode()).isEqualTo(422);
    }
  }

  @Test
  void byDefaultErrorsAreHttp200WithTheCodeInTheBody() {
    try (SimHarness h = new SimHarness(SimHarness.instant())) {
      HttpResponse<Buffer> unauthorized = h.postWithKey("/api/v1/jobs/createTask", "Bearer wrong",
          SimHarness.nanoBanana("x"));
      assertThat(unauthorized.statusCode()).isEqualTo(200);
      assertThat(unauthorized.bodyAsJsonObject().getInteger("code")).isEqualTo(401);
    }
  }

  @Test
  void scriptedAnswersComeFirstThenNormalService() {
    try (SimHarness h = new SimHarness(SimHarness.instant())) {
      h.sim.script(SimEndpoint.CREATE_TASK, ScriptedResponse.error(429), ScriptedResponse.error(500));
      HttpResponse<Buffer> first = h.post("/api/v1/jobs/createTask", SimHarness.nanoBanana("a"));
      assertThat(first.statusCode()).isEqualTo(429);
      assertThat(first.getHeader("Retry-After")).isNotNull();
      assertThat(h.post("/api/v1/jobs/createTask", SimHarness.nanoBanana("b")).bodyAsJsonObject()
          .getInteger("code")).isEqualTo(500);
      h.createMarket(SimHarness.nanoBanana("c"));
      assertThat(h.sim.tasks().size()).isEqualTo(1);
      assertThat(h.sim.counters().scripted()).isEqualTo(2);
    }
  }

  @Test
  void scriptOverHttpWithBareCodesAndObjects() {
    try (SimHarness h = new SimHarness(SimHarness.instant())) {
      JsonObject queued = h.admin("/sim/script", new JsonObject().put("endpoint", "recordInfo")
          .put("responses", new JsonArray().add(500).add(new JsonObject().put("code", 455).put("httpStatus", 503))))
          .bodyAsJsonObject();
      assertThat(queued.getInteger("queued")).isEqualTo(2);
      String id = h.createMarket(SimHarness.nanoBanana("x"));
      assertThat(h.record(id).getInteger("code")).isEqualTo(500);
      HttpResponse<Buffer> second = h.get("/api/v1/jobs/recordInfo?taskId=" + id);
      assertThat(second.statusCode()).isEqualTo(503);
      assertThat(second.bodyAsJsonObject().getInteger("code")).isEqualTo(455);
      assertThat(h.record(id).getInteger("code")).isEqualTo(200);
    }
  }

  @Test
  void hangAfterCreateCreatesTheTaskButNeverAnswers() {
    try (SimHarness h = new SimHarness(SimHarness.instant())) {
      h.sim.script(SimEndpoint.CREATE_TASK, ScriptedResponse.hangUp().createFirst());
      var request = h.client.post(h.sim.port(), "127.0.0.1", "/api/v1/jobs/createTask")
          .putHeader("Authorization", "Bearer " + SimHarness.KEY).timeout(500);
      assertThatThrownBy(() -> SimHarness.await(request.sendJsonObject(SimHarness.nanoBanana("ambiguous"))))
          .hasMessageContaining("imeout");
      assertThat(h.sim.tasks().size()).isEqualTo(1);
      assertThat(h.sim.counters().hangs()).isEqualTo(1);
      assertThat(h.sim.counters().createsAccepted()).isEqualTo(1);
    }
  }

  @Test
  void errorAfterCreateAnswersTheErrorButKeepsTheTask() {
    try (SimHarness h = new SimHarness(SimHarness.instant())) {
      h.sim.script(SimEndpoint.CREATE_TASK, ScriptedResponse.error(500).createFirst());
      assertThat(h.post("/api/v1/jobs/createTask", SimHarness.nanoBanana("x")).bodyAsJsonObject()
          .getInteger("code")).isEqualTo(500);
      assertThat(h.sim.tasks().size()).isEqualTo(1);
    }
  }

  @Test
  void maintenanceAnswers455UntilSwitchedOff() {
    try (SimHarness h = new SimHarness(SimHarness.instant())) {
      h.admin("/sim/faults", new JsonObject().put("maintenance", true));
      assertThat(h.post("/api/v1/jobs/createTask", SimHarness.nanoBanana("x")).bodyAsJsonObject()
          .getInteger("code")).isEqualTo(455);
      assertThat(h.get("/api/v1/chat/credit").bodyAsJsonObject().getInteger("code")).isEqualTo(455);
      h.sim.faults().maintenance(false);
      h.createMarket(SimHarness.nanoBanana("x"));
      assertThat(h.sim.counters().maintenance()).isEqualTo(2);
    }
  }

  @Test
  void maintenanceWindowsRecur() {
    SimFaults f = new SimFaults().maintenanceWindows(Duration.ofSeconds(60), Duration.ofSeconds(5));
    assertThat(f.inMaintenance(1_000)).isFalse();
    assertThat(f.inMaintenance(60_000)).isTrue();
    assertThat(f.inMaintenance(64_999)).isTrue();
    assertThat(f.inMaintenance(65_000)).isFalse();
    assertThat(f.inMaintenance(120_500)).isTrue();
  }

  @Test
  void injected5xxAndTaskFailuresFollowTheRatios() {
    try (SimHarness h = new SimHarness(SimHarness.instant())) {
      h.sim.faults().fault5xxRatio(1.0);
      HttpResponse<Buffer> r = h.get("/api/v1/chat/credit");
      assertThat(r.bodyAsJsonObject().getInteger("code")).isIn(500, 502, 503);
      assertThat(h.sim.counters().injected5xx()).isEqualTo(1);
      h.sim.faults().fault5xxRatio(0).failRatio(1.0).failCode("501");
      String id = h.createMarket(SimHarness.nanoBanana("x"));
      assertThat(h.record(id).getJsonObject("data").getString("failCode")).isEqualTo("501");
    }
  }

  @Test
  void resetRestoresTheStartState() {
    try (SimHarness h = new SimHarness(SimHarness.instant())) {
      h.createMarket(SimHarness.nanoBanana("x"));
      h.sim.faults().maintenance(true);
      h.admin("/sim/reset", new JsonObject());
      assertThat(h.sim.tasks().size()).isZero();
      assertThat(h.sim.counters().createRequests()).isZero();
      assertThat(h.sim.faults().maintenance()).isFalse();
      assertThat(h.sim.tasks().balance()).isEqualTo(100_000);
    }
  }

  @Test
  void badFaultPatchIs400() {
    try (SimHarness h = new SimHarness(SimHarness.instant())) {
      assertThat(h.admin("/sim/faults", new JsonObject().put("nope", 1)).statusCode()).isEqualTo(400);
      assertThat(h.admin("/sim/faults", new JsonObject().put("hangRatio", 2)).statusCode()).isEqualTo(400);
    }
  }
}
