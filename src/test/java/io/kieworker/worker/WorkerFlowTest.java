package io.kieworker.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.kieworker.sim.SimOptions;
import io.kieworker.testing.KafkaBroker;
import io.kieworker.testing.WorkerHarness;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(KafkaBroker.class)
class WorkerFlowTest {

  private static SimOptions fastSim() {
    return new SimOptions().latency("*", Duration.ofMillis(100), Duration.ofMillis(300)).seed(7L);
  }

  @Test
  void pollModeHappyPathForEveryModelAndTheLegacyEndpoint() {
    try (WorkerHarness h = new WorkerHarness(3, fastSim())) {
      h.startWorker(Map.of());
      h.send("a", "{\"requestId\":\"r-nb\",\"model\":\"google/nano-banana\",\"input\":{\"prompt\":\"a banana\"},"
          + "\"metadata\":{\"tenant\":\"acme\"}}", Map.of("x-trace", "t1", "traceparent", "00-abc-def-01", "secret", "no"));
      h.send("b", "{\"requestId\":\"r-pro\",\"model\":\"nano-banana-pro\",\"input\":{\"prompt\":\"a pro banana\",\"resolution\":\"2K\"}}");
      h.send("c", "{\"requestId\":\"r-edit\",\"model\":\"google/nano-banana-edit\",\"input\":{\"prompt\":\"edit\","
          + "\"image_urls\":[\"https://example.com/a.png\"]}}");
      h.send("d", "{\"requestId\":\"r-legacy\",\"model\":\"google/nano-banana\",\"endpoint\":\"legacy\","
          + "\"input\":{\"prompt\":\"legacy banana\",\"steps\":30}}");

      h.awaitResults(4, Duration.ofSeconds(60));
      Map<String, JsonObject> byId = h.resultsById();
      assertThat(byId.keySet()).containsExactlyInAnyOrder("r-nb", "r-pro", "r-edit", "r-legacy");
      byId.values().forEach(r -> {
        assertThat(r.getString("status")).as(r.encode()).isEqualTo("SUCCEEDED");
        assertThat(r.getJsonArray("resultUrls")).isNotEmpty();
        assertThat(r.getInteger("attempts")).isEqualTo(1);
        assertThat(r.getString("taskId")).isNotBlank();
      });
      assertThat(byId.get("r-nb").getJsonObject("metadata").getString("tenant")).isEqualTo("acme");
      ConsumerRecord<String, byte[]> nb = h.results().stream()
          .filter(r -> r.key().equals("r-nb")).findFirst().orElseThrow();
      assertThat(WorkerHarness.header(nb, "ce_id")).isEqualTo("r-nb");
      assertThat(WorkerHarness.header(nb, "ce_type")).isEqualTo("ai.kie.generation.succeeded");
      assertThat(WorkerHarness.header(nb, "x-trace")).isEqualTo("t1");
      assertThat(WorkerHarness.header(nb, "traceparent")).isEqualTo("00-abc-def-01");
      assertThat(WorkerHarness.header(nb, "secret")).isNull();
      assertThat(h.duplicates()).isZero();
      assertThat(h.sim().counters().createsAccepted("nano-banana-pro")).isEqualTo(1);
    }
  }

  @Test
  void badInputIsRejectedAndDeadLetteredWithoutAPaidCall() {
    try (WorkerHarness h = new WorkerHarness(2, fastSim())) {
      h.startWorker(Map.of());
      h.sendBytes("junk", new byte[] {(byte) 0xff, 0x00, 0x7b});
      h.send("bad", "{\"requestId\":\"r-bad\",\"model\":\"nano-banana-pro\",\"input\":{\"prompt\":\"\","
          + "\"resolution\":\"8K\",\"aspectRatio\":\"1:1\"}}");
      h.send("unknown", "{\"requestId\":\"r-unknown\",\"model\":\"dall-e\",\"input\":{\"prompt\":\"x\"}}");
      h.send("ok", "{\"requestId\":\"r-ok\",\"model\":\"google/nano-banana\",\"input\":{\"prompt\":\"fine\"}}");

      h.awaitResults(4, Duration.ofSeconds(60));
      Map<String, JsonObject> byId = h.resultsById();
      assertThat(byId.get("r-ok").getString("status")).isEqualTo("SUCCEEDED");
      assertThat(byId.get("r-bad").getString("status")).isEqualTo("REJECTED");
      assertThat(byId.get("r-bad").getJsonObject("error").getString("message"))
          .contains("input.resolution").contains("input.aspectRatio");
      assertThat(byId.get("r-unknown").getJsonObject("error").getString("message")).contains("dall-e");
      String junkId = h.requests + "-" + h.results().stream().filter(r -> r.key() == null || r.key().startsWith(h.requests))
          .findFirst().map(r -> r.key().substring(h.requests.length() + 1)).orElse("?");
      assertThat(byId.get(junkId)).as("rejected junk under its fallback id " + byId.keySet()).isNotNull();
      assertThat(byId.get(junkId).getJsonObject("error").getString("code")).isEqualTo("UNPARSEABLE");
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> h.deadLetters().size() >= 3);
      assertThat(h.deadLetters()).allSatisfy(d -> assertThat(WorkerHarness.header(d, "dlq.reason")).isNotBlank());
      assertThat(h.sim().counters().createsAccepted()).isEqualTo(1);
    }
  }
}
