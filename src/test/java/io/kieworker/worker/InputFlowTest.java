package io.kieworker.worker;

import static io.kieworker.testing.WorkerHarness.header;
import static io.kieworker.testing.WorkerHarness.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.kieworker.sim.SimOptions;
import io.kieworker.testing.KafkaBroker;
import io.kieworker.testing.WorkerHarness;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** What comes in: bad input of every kind, inline images, a request id seen again. */
@ExtendWith(KafkaBroker.class)
class InputFlowTest {
  private static final String PNG_1X1 =
      "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

  private static SimOptions fastSim() {
    return new SimOptions().latency(SimOptions.ANY_MODEL, Duration.ofMillis(100), Duration.ofMillis(300)).seed(11L);
  }

  @Test
  void everyKindOfBadInputIsRejectedAndDeadLetteredWithoutAPaidCallAndThePartitionMovesOn() {
    // One partition: every record below, and the valid one after them, share it.
    try (WorkerHarness h = new WorkerHarness(1, fastSim())) {
      h.startWorker(Map.of());
      byte[] junk = {(byte) 0xff, 0x00, 0x7b};
      h.sendBytes("junk", junk);
      h.send("array", "[1,2,3]");
      // requestId -> {request JSON, a fragment the rejection message must name}
      Map<String, String[]> invalid = new LinkedHashMap<>();
      invalid.put("bad-no-model", new String[] {
          "{\"requestId\":\"bad-no-model\",\"input\":{\"prompt\":\"x\"}}", "model"});
      invalid.put("bad-unknown-model", new String[] {
          "{\"requestId\":\"bad-unknown-model\",\"model\":\"dall-e\",\"input\":{\"prompt\":\"x\"}}", "dall-e"});
      invalid.put("bad-type", new String[] {
          "{\"requestId\":\"bad-type\",\"model\":\"google/nano-banana\",\"input\":{\"prompt\":42}}", "input.prompt"});
      invalid.put("bad-long-prompt", new String[] {
          new JsonObject().put("requestId", "bad-long-prompt").put("model", "google/nano-banana")
              .put("input", new JsonObject().put("prompt", "b".repeat(5001))).encode(), "input.prompt"});
      invalid.put("bad-many-images", new String[] {
          editRequest("bad-many-images", urls(11, "https://example.com/i")), "input.image_urls"});
      invalid.put("bad-http-url", new String[] {
          editRequest("bad-http-url", new JsonArray().add("http://example.com/a.png")), "input.image_urls"});
      invalid.put("bad-legacy-steps", new String[] {
          "{\"requestId\":\"bad-legacy-steps\",\"model\":\"google/nano-banana\",\"endpoint\":\"legacy\","
              + "\"input\":{\"prompt\":\"legacy\",\"steps\":5}}", "input.steps"});
      invalid.forEach((id, spec) -> h.send(id, spec[0]));
      h.send("ok", request("ok-after-bad", "google/nano-banana", ""));

      String junkId = h.requests + "-0-0";
      String arrayId = h.requests + "-0-1";
      List<String> ids = new ArrayList<>(List.of(junkId, arrayId, "ok-after-bad"));
      ids.addAll(invalid.keySet());
      Map<String, JsonObject> byId = h.awaitResultsFor(ids, Duration.ofSeconds(30));

      assertThat(h.missing(ids)).isEmpty();
      assertThat(h.duplicates()).isZero();
      assertThat(byId.get("ok-after-bad").getString("status")).isEqualTo("SUCCEEDED");
      for (String id : ids.subList(0, 2)) {
        assertThat(byId.get(id).getString("status")).as(id).isEqualTo("REJECTED");
      }
      assertThat(byId.get(junkId).getJsonObject("error").getString("code")).isEqualTo("UNPARSEABLE");
      invalid.forEach((id, spec) -> {
        JsonObject r = byId.get(id);
        assertThat(r.getString("status")).as(id).isEqualTo("REJECTED");
        assertThat(r.getInteger("attempts")).as(id).isZero();
        assertThat(r.getJsonObject("error").getString("code")).as(id).isEqualTo("VALIDATION");
        assertThat(r.getJsonObject("error").getString("message")).as(id).contains(spec[1]);
      });

      int rejected = 2 + invalid.size();
      Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> h.deadLetters().size() >= rejected);
      List<ConsumerRecord<String, byte[]>> dead = h.deadLetters();
      assertThat(dead).hasSize(rejected);
      assertThat(dead).allSatisfy(d -> {
        assertThat(header(d, "dlq.reason")).isIn("UNPARSEABLE", "INVALID");
        assertThat(header(d, "dlq.original.topic")).isEqualTo(h.requests);
        assertThat(header(d, "dlq.original.partition")).isEqualTo("0");
      });
      assertThat(dead.stream().map(d -> header(d, "dlq.original.offset")).collect(Collectors.toSet()))
          .containsExactlyInAnyOrder("0", "1", "2", "3", "4", "5", "6", "7", "8");
      ConsumerRecord<String, byte[]> junkLetter = dead.stream().filter(d -> "junk".equals(d.key())).findFirst().orElseThrow();
      assertThat(junkLetter.value()).as("original bytes kept").isEqualTo(junk);
      assertThat(header(junkLetter, "dlq.reason")).isEqualTo("UNPARSEABLE");
      assertThat(header(dead.stream().filter(d -> "bad-type".equals(d.key())).findFirst().orElseThrow(), "dlq.reason"))
          .isEqualTo("INVALID");

      // Only the valid request reached Kie.ai.
      assertThat(h.sim().counters().createRequests() + h.sim().counters().legacyCreateRequests()).isEqualTo(1);
      assertThat(h.sim().counters().createsAccepted()).isEqualTo(1);
      assertThat(h.simTasksWithPrompt(WorkerHarness.marker("ok-after-bad"))).isEqualTo(1);
    }
  }

  @Test
  void inlineDataUriImageIsUploadedFirstThenGenerated() {
    try (WorkerHarness h = new WorkerHarness(2, fastSim())) {
      h.startWorker(Map.of());
      String dataUri = "data:image/png;base64," + PNG_1X1;
      h.send("inline", editRequest("r-inline", new JsonArray().add(dataUri).add("https://example.com/b.png")));

      JsonObject result = h.awaitResultsFor(List.of("r-inline"), Duration.ofSeconds(20)).get("r-inline");

      assertThat(result.getString("status")).as(result.encode()).isEqualTo("SUCCEEDED");
      assertThat(result.getInteger("attempts")).isEqualTo(1);
      assertThat(h.duplicates()).isZero();
      assertThat(h.sim().counters().uploads("base64")).isEqualTo(1);
      assertThat(h.sim().counters().createsAccepted("google/nano-banana-edit")).isEqualTo(1);
      var task = h.sim().tasks().find(result.getString("taskId")).orElseThrow();
      JsonArray sent = new JsonObject(task.param()).getJsonObject("input").getJsonArray("image_urls");
      assertThat(sent.getString(0)).as("the uploaded file's URL replaced the data URI")
          .startsWith("https://tempfile.kie-sim.invalid/");
      assertThat(sent.getString(1)).isEqualTo("https://example.com/b.png");
    }
  }

  @Test
  void aRequestIdSeenAgainGetsTheStoredResultRepublishedWithoutANewPaidCall() {
    try (WorkerHarness h = new WorkerHarness(2, fastSim())) {
      h.startWorker(Map.of());
      String body = request("r-dedupe", "google/nano-banana", "");
      h.send("r-dedupe", body, Map.of("x-trace", "first-send"));
      JsonObject first = h.awaitResultsFor(List.of("r-dedupe"), Duration.ofSeconds(20)).get("r-dedupe");
      assertThat(first.getString("status")).isEqualTo("SUCCEEDED");

      h.send("r-dedupe", body);
      Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> h.resultsFor("r-dedupe").size() >= 2);

      List<ConsumerRecord<String, byte[]>> both = h.resultsFor("r-dedupe");
      assertThat(both).hasSize(2);
      assertThat(both).allSatisfy(r -> assertThat(header(r, "ce_id")).isEqualTo("r-dedupe"));
      assertThat(both).allSatisfy(r -> assertThat(header(r, "x-trace")).as("the stored pass-through headers")
          .isEqualTo("first-send"));
      JsonObject again = new JsonObject(new String(both.get(1).value(), StandardCharsets.UTF_8));
      assertThat(again.getString("status")).isEqualTo("SUCCEEDED");
      assertThat(again.getString("taskId")).isEqualTo(first.getString("taskId"));
      assertThat(again.getJsonArray("resultUrls")).isEqualTo(first.getJsonArray("resultUrls"));
      assertThat(h.sim().counters().createRequests()).isEqualTo(1);
      assertThat(h.simTasksWithPrompt(WorkerHarness.marker("r-dedupe"))).isEqualTo(1);
    }
  }

  private static String editRequest(String id, JsonArray imageUrls) {
    return new JsonObject().put("requestId", id).put("model", "google/nano-banana-edit")
        .put("input", new JsonObject().put("prompt", WorkerHarness.marker(id) + " edit").put("image_urls", imageUrls))
        .encode();
  }

  private static JsonArray urls(int n, String prefix) {
    JsonArray urls = new JsonArray();
    for (int i = 0; i < n; i++) {
      urls.add(prefix + i + ".png");
    }
    return urls;
  }
}
