package io.kieworker.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class KieSimulatorMarketTest {
  private static final String PRO_PROMPT = "Comic poster: cool banana hero in shades leaps from sci-fi pad. "
      + "Six panels: 1) 4K mountain landscape, 2) banana holds page of long multilingual text with auto "
      + "translation, 3) Gemini 3 hologram for search/knowledge/reasoning, 4) camera UI sliders for angle focus "
      + "color, 5) frame trio 1:1-9:16, 6) consistent banana poses. Footer shows Google icons. Tagline: Nano "
      + "Banana Pro now on Kie AI.";

  private static SimHarness h;

  @BeforeAll
  static void start() {
    h = new SimHarness(SimHarness.instant().rateLimit(0, Duration.ofSeconds(10)));
  }

  @AfterAll
  static void stop() {
    h.close();
  }

  @BeforeEach
  void reset() {
    SimHarness.await(h.sim.reset());
  }

  static JsonObject seedNanoBanana() {
    return new JsonObject().put("model", "google/nano-banana")
        .put("callBackUrl", "https://your-domain.com/api/callback")
        .put("input", new JsonObject()
            .put("prompt", "A surreal painting of a giant banana floating in space, stars and galaxies in the "
                + "background, vibrant colors, digital art")
            .put("output_format", "png").put("image_size", "1:1"));
  }

  static JsonObject seedEdit() {
    return new JsonObject().put("model", "google/nano-banana-edit")
        .put("callBackUrl", "https://your-domain.com/api/callback")
        .put("input", new JsonObject()
            .put("prompt", "turn this photo into a character figure. Behind it, place a box with the character’s "
                + "image printed on it, and a computer showing the Blender modeling process on its screen. In front "
                + "of the box, add a round plastic base with the character figure standing on it. set the scene "
                + "indoors if possible")
            .put("image_urls", new JsonArray().add(
                "https://file.aiquickdraw.com/custom-page/akr/section-images/1756223420389w8xa2jfe.png"))
            .put("output_format", "png").put("image_size", "1:1"));
  }

  static JsonObject seedPro() {
    return new JsonObject().put("model", "nano-banana-pro")
        .put("input", new JsonObject().put("prompt", PRO_PROMPT).put("image_input", new JsonArray())
            .put("aspect_ratio", "1:1").put("resolution", "1K").put("output_format", "png"));
  }

  @Test
  void seedExamplesAreAcceptedAndRecordedAsDocumented() {
    h.sim.faults().dropCallbackRatio(1.0); // the seeds' callBackUrl is a public host: never call it
    for (JsonObject request : new JsonObject[] {seedNanoBanana(), seedEdit(), seedPro()}) {
      HttpResponse<Buffer> created = h.post("/api/v1/jobs/createTask", request);
      assertThat(created.statusCode()).isEqualTo(200);
      JsonObject body = created.bodyAsJsonObject();
      assertThat(body.getInteger("code")).isEqualTo(200);
      assertThat(body.getString("msg")).isEqualTo("success");
      String taskId = body.getJsonObject("data").getString("taskId");
      assertThat(taskId).matches("[0-9a-f]{32}");

      JsonObject record = h.record(taskId);
      assertThat(record.getInteger("code")).isEqualTo(200);
      assertThat(record.getString("msg")).isEqualTo("success");
      JsonObject data = record.getJsonObject("data");
      assertThat(data.fieldNames()).containsExactlyInAnyOrder("taskId", "model", "state", "param", "resultJson",
          "failCode", "failMsg", "costTime", "completeTime", "createTime", "updateTime", "creditsConsumed");
      assertThat(data.getString("taskId")).isEqualTo(taskId);
      assertThat(data.getString("model")).isEqualTo(request.getString("model"));
      assertThat(data.getString("state")).isEqualTo("success");
      assertThat(new JsonObject(data.getString("param"))).isEqualTo(request);
      JsonArray urls = new JsonObject(data.getString("resultJson")).getJsonArray("resultUrls");
      assertThat(urls).hasSize(1);
      assertThat(urls.getString(0)).startsWith("http://127.0.0.1:").contains("/results/").endsWith(".png");
      assertThat(data.getValue("failCode")).isNull();
      assertThat(data.getValue("failMsg")).isNull();
      assertThat(data.getLong("costTime")).isNotNull();
      assertThat(data.getLong("completeTime")).isGreaterThanOrEqualTo(data.getLong("createTime"));
      assertThat(data.getNumber("creditsConsumed")).isNotNull();
    }
    assertThat(h.sim.counters().createsAccepted()).isEqualTo(3);
    assertThat(h.sim.counters().createsAccepted("nano-banana-pro")).isEqualTo(1);
    assertThat(h.sim.counters().recordInfoPolls()).isEqualTo(3);
    assertThat(h.sim.counters().callbacksDropped()).isEqualTo(2);
  }

  @Test
  void statesProgressFromWaitingToSuccess() {
    String taskId = h.createMarket(SimHarness.nanoBanana("slow one [sim:latency=8s]"));
    JsonObject first = h.record(taskId).getJsonObject("data");
    assertThat(first.getString("state")).isEqualTo("waiting");
    assertThat(first.getString("resultJson")).isEmpty();
    assertThat(first.getValue("costTime")).isNull();
    assertThat(first.getValue("completeTime")).isNull();
    assertThat(first.getValue("creditsConsumed")).isNull();
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
        .until(() -> h.record(taskId).getJsonObject("data").getString("state").equals("success"));
    JsonObject done = h.record(taskId).getJsonObject("data");
    assertThat(done.getLong("costTime")).isEqualTo(8000);
    assertThat(done.getLong("completeTime") - done.getLong("createTime")).isEqualTo(8000);
  }

  @Test
  void promptDirectiveFailsTheTask() {
    String taskId = h.createMarket(SimHarness.nanoBanana("please fail [sim:fail=500]"));
    JsonObject data = h.record(taskId).getJsonObject("data");
    assertThat(data.getString("state")).isEqualTo("fail");
    assertThat(data.getString("failCode")).isEqualTo("500");
    assertThat(data.getString("failMsg")).isEqualTo("Internal Error, Please try again later");
    assertThat(data.getString("resultJson")).isEmpty();
    assertThat(data.getValue("creditsConsumed")).isNull();
    assertThat(h.sim.tasks().failed()).isEqualTo(1);
  }

  @Test
  void missingOrWrongKeyIs401AndCounted() {
    JsonObject none = h.postWithKey("/api/v1/jobs/createTask", null, seedPro()).bodyAsJsonObject();
    JsonObject wrong = h.postWithKey("/api/v1/jobs/createTask", "Bearer nope", seedPro()).bodyAsJsonObject();
    assertThat(none.getInteger("code")).isEqualTo(401);
    assertThat(wrong.getInteger("code")).isEqualTo(401);
    assertThat(wrong.containsKey("data")).isTrue();
    assertThat(wrong.getValue("data")).isNull();
    assertThat(h.sim.counters().rejections(401)).isEqualTo(2);
    assertThat(h.sim.tasks().size()).isZero();
  }

  @Test
  void invalidInputIs422WithTheViolation() {
    JsonObject bad = seedPro();
    bad.getJsonObject("input").put("resolution", "8K");
    JsonObject answer = h.post("/api/v1/jobs/createTask", bad).bodyAsJsonObject();
    assertThat(answer.getInteger("code")).isEqualTo(422);
    assertThat(answer.getString("msg")).contains("resolution");
    assertThat(h.sim.counters().rejections(422)).isEqualTo(1);
  }

  @Test
  void unknownModelIs422() {
    JsonObject answer = h.post("/api/v1/jobs/createTask",
        new JsonObject().put("model", "no-such-model").put("input", new JsonObject().put("prompt", "x")))
        .bodyAsJsonObject();
    assertThat(answer.getInteger("code")).isEqualTo(422);
    assertThat(answer.getString("msg")).contains("no-such-model");
  }

  @Test
  void unknownTaskIs404() {
    JsonObject answer = h.record("0123456789abcdef0123456789abcdef");
    assertThat(answer.getInteger("code")).isEqualTo(404);
    assertThat(answer.getValue("data")).isNull();
  }

  @Test
  void creditsAreChargedOnSuccessAndExhaustionIs402() {
    h.sim.credits(100);
    h.createMarket(SimHarness.nanoBanana("paid"));
    await().atMost(Duration.ofSeconds(5)).until(() -> h.sim.tasks().succeeded() == 1);
    JsonObject credit = h.get("/api/v1/chat/credit").bodyAsJsonObject();
    assertThat(credit.getInteger("code")).isEqualTo(200);
    double charged = io.kieworker.model.ModelRegistry.builtIn().find("google/nano-banana").orElseThrow().credits();
    assertThat(credit.getNumber("data").doubleValue()).isEqualTo(100 - charged);

    h.admin("/sim/credits", new JsonObject().put("credits", 0));
    JsonObject refused = h.post("/api/v1/jobs/createTask", SimHarness.nanoBanana("broke")).bodyAsJsonObject();
    assertThat(refused.getInteger("code")).isEqualTo(402);
    assertThat(h.sim.counters().creditChecks()).isEqualTo(1);
  }

  @Test
  void downloadUrlAddsATokenValidTwentyMinutes() {
    String url = "https://results.kie-sim.invalid/a.png";
    JsonObject answer = h.post("/api/v1/common/download-url", new JsonObject().put("url", url)).bodyAsJsonObject();
    assertThat(answer.getInteger("code")).isEqualTo(200);
    String link = answer.getString("data");
    assertThat(link).startsWith(url + "?sim-token=");
    long expires = Long.parseLong(link.substring(link.indexOf("expires=") + 8));
    assertThat(expires - System.currentTimeMillis()).isBetween(19 * 60_000L, 20 * 60_000L + 1);
    assertThat(h.post("/api/v1/common/download-url", new JsonObject()).bodyAsJsonObject().getInteger("code"))
        .isEqualTo(422);
    assertThat(h.sim.counters().downloadUrls()).isEqualTo(2);
  }

  @Test
  void adminEndpointsShowTasksAndStats() {
    String taskId = h.createMarket(SimHarness.nanoBanana("visible prompt"));
    JsonObject list = SimHarness.await(h.client.get(h.sim.port(), "127.0.0.1", "/sim/tasks").send()).bodyAsJsonObject();
    assertThat(list.getInteger("count")).isEqualTo(1);
    assertThat(list.getJsonArray("tasks").getJsonObject(0).getString("prompt")).isEqualTo("visible prompt");
    JsonObject one = SimHarness.await(h.client.get(h.sim.port(), "127.0.0.1", "/sim/tasks/" + taskId).send())
        .bodyAsJsonObject();
    assertThat(one.getString("taskId")).isEqualTo(taskId);
    JsonObject stats = SimHarness.await(h.client.get(h.sim.port(), "127.0.0.1", "/sim/stats").send())
        .bodyAsJsonObject();
    assertThat(stats.getLong("createRequests")).isEqualTo(1);
    assertThat(stats.getJsonObject("createsAcceptedByModel").getLong("google/nano-banana")).isEqualTo(1);
    assertThat(stats.getLong("tasksTotal")).isEqualTo(1);
  }
}
