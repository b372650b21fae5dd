package io.kieworker.hostile;

import static io.kieworker.testing.WorkerHarness.header;
import static io.kieworker.testing.WorkerHarness.marker;
import static io.kieworker.testing.WorkerHarness.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.kieworker.sim.SimOptions;
import io.kieworker.testing.KafkaBroker;
import io.kieworker.testing.Readiness;
import io.kieworker.testing.WorkerHarness;
import io.kieworker.worker.WorkerApp;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Hostile headers and sizes (issue 9, items 1 and 2), against one worker on a one-partition topic:
 * every case sends its hostile record, then a valid request on the same partition that must
 * succeed (the partition still moves), and checks that the instance stays ready and that nothing
 * was paid for a rejected request.
 */
@ExtendWith(KafkaBroker.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileHeadersAndSizesTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private WorkerHarness h;
  private WorkerApp app;
  private KafkaProducer<String, byte[]> producer;

  private static SimOptions fastSim() {
    return new SimOptions().latency(SimOptions.ANY_MODEL, Duration.ofMillis(100), Duration.ofMillis(300)).seed(9L);
  }

  @BeforeAll
  void start() {
    h = new WorkerHarness(1, fastSim());
    app = h.startWorker(Map.of());
    producer = producer();
  }

  @AfterAll
  void stop() {
    producer.close(Duration.ofSeconds(5));
    h.close();
  }

  @Test
  void nullHeaderOnAValidRequestSucceedsAndTheNullHeaderIsNotCopied() {
    send(h.requests, "k-null-ok", request("null-ok", "google/nano-banana", "").getBytes(StandardCharsets.UTF_8),
        List.of(new RecordHeader("x-trace", null), new RecordHeader("x-tenant", bytes("acme"))));

    JsonObject result = awaitResult("null-ok");

    assertThat(result.getString("status")).as(result.encode()).isEqualTo("SUCCEEDED");
    ConsumerRecord<String, byte[]> record = h.resultsFor("null-ok").get(0);
    assertThat(header(record, "x-tenant")).isEqualTo("acme");
    assertThat(record.headers().lastHeader("x-trace")).as("null-valued header dropped").isNull();
    assertThat(h.simTasksWithPrompt(marker("null-ok"))).isEqualTo(1);
    assertReady();
  }

  @Test
  void nullHeaderOnAnInvalidRequestDoesNotSkipTheRestOfTheBatch() {
    long createsBefore = creates();
    send(h.requests, "k-null-bad", bytes("{\"requestId\":\"null-bad\",\"model\":\"google/nano-banana\",\"input\":{\"prompt\":42}}"),
        List.of(new RecordHeader("x-trace", null)));
    List<String> valid = List.of("null-next-1", "null-next-2", "null-next-3");
    valid.forEach(id -> send(h.requests, id, bytes(request(id, "google/nano-banana", "")), List.of()));

    List<String> all = new ArrayList<>(valid);
    all.add("null-bad");
    Map<String, JsonObject> byId = h.awaitResultsFor(all, WAIT);

    JsonObject rejected = byId.get("null-bad");
    assertThat(rejected.getString("status")).isEqualTo("REJECTED");
    assertThat(rejected.getJsonObject("error").getString("code")).isEqualTo("VALIDATION");
    valid.forEach(id -> assertThat(byId.get(id).getString("status")).as(id).isEqualTo("SUCCEEDED"));
    ConsumerRecord<String, byte[]> dead = awaitDeadLetter("k-null-bad");
    assertThat(header(dead, "dlq.reason")).isEqualTo("INVALID");
    assertThat(header(dead, "dlq.headers-dropped")).isEqualTo("forged=0,null=1,oversize=0");
    assertThat(creates() - createsBefore).as("only the valid ones were paid").isEqualTo(3);
    assertReady();
  }

  @Test
  void twelveThousandUnknownInputKeysAreRejectedWithACappedViolationsList() {
    JsonObject input = new JsonObject().put("prompt", "p");
    for (int i = 0; i < 12_000; i++) {
      input.put("unknown_key_" + i, i);
    }
    String body = new JsonObject().put("requestId", "many-keys").put("model", "google/nano-banana")
        .put("input", input).encode();
    long createsBefore = creates();
    send(h.requests, "many-keys", bytes(body), List.of());
    send(h.requests, "after-many-keys", bytes(request("after-many-keys", "google/nano-banana", "")), List.of());

    Map<String, JsonObject> byId = h.awaitResultsFor(List.of("many-keys", "after-many-keys"), WAIT);

    JsonObject rejected = byId.get("many-keys");
    assertThat(rejected.getString("status")).isEqualTo("REJECTED");
    assertThat(rejected.getJsonObject("error").getString("code")).isEqualTo("VALIDATION");
    assertThat(rejected.getJsonArray("violations")).hasSize(50);
    assertThat(rejected.getInteger("violationsOmitted")).isGreaterThanOrEqualTo(11_950);
    assertThat(h.resultsFor("many-keys").get(0).serializedValueSize()).as("result bytes").isLessThan(64 * 1024);
    assertThat(header(awaitDeadLetter("many-keys"), "dlq.reason")).isEqualTo("INVALID");
    assertThat(byId.get("after-many-keys").getString("status")).isEqualTo("SUCCEEDED");
    assertThat(creates() - createsBefore).isEqualTo(1);
    assertReady();
  }

  @Test
  void an800KbPassThroughHeaderIsDroppedAndTheRequestIsPaidOnce() {
    byte[] huge = new byte[800 * 1024];
    java.util.Arrays.fill(huge, (byte) 'h');
    send(h.requests, "big-header", bytes(request("big-header", "google/nano-banana", "")),
        List.of(new RecordHeader("x-huge", huge), new RecordHeader("x-small", bytes("kept"))));
    send(h.requests, "after-big-header", bytes(request("after-big-header", "google/nano-banana", "")), List.of());

    Map<String, JsonObject> byId = h.awaitResultsFor(List.of("big-header", "after-big-header"), WAIT);

    assertThat(byId.get("big-header").getString("status")).as(byId.get("big-header").encode()).isEqualTo("SUCCEEDED");
    ConsumerRecord<String, byte[]> result = h.resultsFor("big-header").get(0);
    assertThat(result.headers().lastHeader("x-huge")).isNull();
    assertThat(header(result, "x-small")).isEqualTo("kept");
    assertThat(byId.get("after-big-header").getString("status")).isEqualTo("SUCCEEDED");
    assertThat(h.simTasksWithPrompt(marker("big-header"))).as("paid exactly once").isEqualTo(1);
    assertThat(h.resultsFor("big-header")).hasSize(1);
    assertThat(droppedHeaders("value_too_large")).isGreaterThanOrEqualTo(1);
    assertReady();
  }

  @Test
  void aHugeLegacyPromptAndNegativePromptAreRejected() {
    long createsBefore = creates();
    send(h.requests, "legacy-long", bytes(legacy("legacy-long", "p".repeat(5001), null)), List.of());
    send(h.requests, "legacy-neg", bytes(legacy("legacy-neg", "ok", "n".repeat(2001))), List.of());
    send(h.requests, "legacy-ok", bytes(legacy("legacy-ok", marker("legacy-ok") + " fine", "blur")), List.of());

    Map<String, JsonObject> byId = h.awaitResultsFor(List.of("legacy-long", "legacy-neg", "legacy-ok"), WAIT);

    assertThat(byId.get("legacy-long").getString("status")).isEqualTo("REJECTED");
    assertThat(byId.get("legacy-long").getJsonObject("error").getString("code")).isEqualTo("VALIDATION");
    assertThat(byId.get("legacy-long").getJsonObject("error").getString("message")).contains("input.prompt");
    assertThat(byId.get("legacy-neg").getString("status")).isEqualTo("REJECTED");
    assertThat(byId.get("legacy-neg").getJsonObject("error").getString("message")).contains("input.negative_prompt");
    assertThat(byId.get("legacy-ok").getString("status")).as(byId.get("legacy-ok").encode()).isEqualTo("SUCCEEDED");
    assertThat(creates() - createsBefore).isEqualTo(1);
    assertReady();
  }

  @Test
  void forgedDlqHeadersLoseToTheWorkersOwn() {
    send(h.requests, "forged", bytes("{\"requestId\":\"forged\",\"model\":\"dall-e\",\"input\":{\"prompt\":\"x\"}}"),
        List.of(new RecordHeader("dlq.original.topic", bytes(h.ledger)),
            new RecordHeader("dlq.reason", bytes("UNPARSEABLE")),
            new RecordHeader("dlq.time", bytes("2000-01-01T00:00:00Z")),
            new RecordHeader("DLQ.Original.Offset", bytes("0"))));
    JsonObject result = awaitResult("forged");

    assertThat(result.getJsonObject("error").getString("code")).isEqualTo("VALIDATION");
    ConsumerRecord<String, byte[]> dead = awaitDeadLetter("forged");
    assertThat(headers(dead, "dlq.original.topic")).containsExactly(h.requests);
    assertThat(headers(dead, "dlq.reason")).containsExactly("INVALID");
    assertThat(headers(dead, "dlq.time")).hasSize(1).noneMatch(t -> t.startsWith("2000"));
    assertThat(dead.headers().toArray()).extracting(Header::key).doesNotContain("DLQ.Original.Offset");
    assertThat(header(dead, "dlq.headers-dropped")).isEqualTo("forged=4,null=0,oversize=0");
    assertPartitionMoves("after-forged");
  }

  @Test
  void aRequestWhoseLedgerRecordCannotFitIsRejectedTooLargeBeforeAnythingIsPaid() {
    long createsBefore = creates();
    String body = new JsonObject().put("requestId", "too-large").put("model", "google/nano-banana")
        .put("input", new JsonObject().put("prompt", "p"))
        .put("metadata", new JsonObject().put("blob", "m".repeat(600_000))).encode();
    send(h.requests, "too-large", bytes(body), List.of(new RecordHeader("x-trace", bytes("t-1"))));

    JsonObject result = awaitResult("too-large");

    assertThat(result.getString("status")).isEqualTo("REJECTED");
    assertThat(result.getJsonObject("error").getString("code")).isEqualTo("TOO_LARGE");
    assertThat(result.getInteger("attempts")).isZero();
    ConsumerRecord<String, byte[]> dead = awaitDeadLetter("too-large");
    assertThat(header(dead, "dlq.reason")).isEqualTo("TOO_LARGE");
    assertThat(dead.value()).as("the original value fits the DLQ record").hasSize(body.length());
    assertThat(header(h.resultsFor("too-large").get(0), "x-trace")).isEqualTo("t-1");
    assertThat(creates() - createsBefore).isZero();
    assertPartitionMoves("after-too-large");
  }

  @Test
  void aRequestTooLargeEvenForItsDeadLetterGetsItsValueOmittedThere() {
    String body = new JsonObject().put("requestId", "too-large-dlq").put("model", "google/nano-banana")
        .put("input", new JsonObject().put("prompt", "p"))
        .put("metadata", new JsonObject().put("blob", "m".repeat(1_010_000))).encode();
    send(h.requests, "too-large-dlq", bytes(body), List.of());

    JsonObject result = awaitResult("too-large-dlq");

    assertThat(result.getJsonObject("error").getString("code")).isEqualTo("TOO_LARGE");
    assertThat(result.getJsonObject("metadata").isEmpty()).as("metadata left out to fit").isTrue();
    assertThat(h.resultsFor("too-large-dlq").get(0).serializedValueSize()).isLessThan(1_000_000);
    ConsumerRecord<String, byte[]> dead = awaitDeadLetter("too-large-dlq");
    assertThat(header(dead, "dlq.reason")).isEqualTo("TOO_LARGE");
    assertThat(dead.value()).isNull();
    assertThat(header(dead, "dlq.value-dropped")).contains("1000000-byte record bound");
    assertPartitionMoves("after-too-large-dlq");
  }

  @Test
  void recordsTheBrokerRefusesAreNotRetriedForeverAndTheInstanceStaysReady() throws Exception {
    try (WorkerHarness small = new WorkerHarness(1, fastSim())) {
      // The broker's own limit below the worker's bound: the broker answers RecordTooLargeException.
      limitTopic(small.ledger, 20_000);
      limitTopic(small.results, 20_000);
      WorkerApp refusing = small.startWorker(Map.of());
      String body = new JsonObject().put("requestId", "refused").put("model", "google/nano-banana")
          .put("input", new JsonObject().put("prompt", marker("refused") + " p"))
          .put("metadata", new JsonObject().put("blob", "m".repeat(30_000))).encode();
      small.send("refused", body);
      small.send("after-refused", request("after-refused", "google/nano-banana", ""));

      Map<String, JsonObject> byId = small.awaitResultsFor(List.of("refused", "after-refused"), WAIT);

      JsonObject refused = byId.get("refused");
      assertThat(refused.getString("status")).as(refused.encode()).isEqualTo("REJECTED");
      assertThat(refused.getJsonObject("error").getString("code")).isEqualTo("TOO_LARGE");
      assertThat(refused.getJsonObject("metadata").isEmpty()).as("the bare result was written instead").isTrue();
      assertThat(byId.get("after-refused").getString("status")).isEqualTo("SUCCEEDED");
      assertThat(small.simTasksWithPrompt(marker("refused"))).as("nothing paid").isZero();
      assertThat(small.resultsFor("refused")).hasSize(1);
      assertThat(counter(refusing, "kie_worker_produce_refused_total")).isGreaterThanOrEqualTo(2);
      assertThat(Readiness.status(refusing)).isEqualTo(200);
    }
  }

  @Test
  void aRecordWhoseHandlingThrowsIsDeadLetteredAsInternalAndTheBatchGoesOn() {
    try (WorkerHarness corrupt = new WorkerHarness(1, fastSim())) {
      // Stored results the worker cannot read back (a forged or corrupted TERMINAL): republishing
      // them throws inside the record loop.
      writeLedger(corrupt.ledger, "corrupt-status", new JsonObject().put("v", 1).put("type", "TERMINAL")
          .put("requestId", "corrupt-status").put("attempts", 1).put("epoch", 1)
          .put("result", new JsonObject().put("requestId", "corrupt-status").put("status", "BOGUS")));
      writeLedger(corrupt.ledger, "corrupt-headers", new JsonObject().put("v", 1).put("type", "TERMINAL")
          .put("requestId", "corrupt-headers").put("attempts", 1).put("epoch", 1)
          .put("headers", new io.vertx.core.json.JsonArray().add(new JsonObject().put("name", "x-a").put("value", "%%%")))
          .put("result", new JsonObject().put("requestId", "corrupt-headers").put("status", "SUCCEEDED")));
      WorkerApp worker = corrupt.startWorker(Map.of());
      corrupt.send("corrupt-status", request("corrupt-status", "google/nano-banana", ""));
      corrupt.send("corrupt-headers", request("corrupt-headers", "google/nano-banana", ""));
      corrupt.send("after-corrupt", request("after-corrupt", "google/nano-banana", ""));

      Map<String, JsonObject> byId = corrupt.awaitResultsFor(
          List.of("corrupt-status", "corrupt-headers", "after-corrupt"), WAIT);

      for (String id : List.of("corrupt-status", "corrupt-headers")) {
        assertThat(byId.get(id).getString("status")).as(id).isEqualTo("REJECTED");
        assertThat(byId.get(id).getJsonObject("error").getString("code")).as(id).isEqualTo("INTERNAL");
      }
      assertThat(byId.get("after-corrupt").getString("status")).isEqualTo("SUCCEEDED");
      Awaitility.await().atMost(WAIT).until(() -> corrupt.deadLetters().size() >= 2);
      assertThat(corrupt.deadLetters()).extracting(d -> header(d, "dlq.reason")).containsOnly("INTERNAL");
      assertThat(corrupt.deadLetters()).extracting(d -> header(d, "dlq.original.offset")).containsExactlyInAnyOrder("0", "1");
      assertThat(corrupt.simTasksWithPrompt(marker("corrupt-status")) + corrupt.simTasksWithPrompt(marker("corrupt-headers")))
          .isZero();
      assertThat(Readiness.status(worker)).isEqualTo(200);
    }
  }

  // ---- helpers -------------------------------------------------------------------------------------

  private void writeLedger(String topic, String key, JsonObject value) {
    send(topic, key, value.toBuffer().getBytes(), List.of());
  }

  private String legacy(String id, String prompt, String negative) {
    JsonObject input = new JsonObject().put("prompt", prompt);
    if (negative != null) {
      input.put("negative_prompt", negative);
    }
    return new JsonObject().put("requestId", id).put("model", "google/nano-banana").put("endpoint", "legacy")
        .put("input", input).encode();
  }

  private void assertPartitionMoves(String id) {
    send(h.requests, id, bytes(request(id, "google/nano-banana", "")), List.of());
    assertThat(awaitResult(id).getString("status")).isEqualTo("SUCCEEDED");
    assertReady();
  }

  private JsonObject awaitResult(String id) {
    return h.awaitResultsFor(List.of(id), WAIT).get(id);
  }

  private ConsumerRecord<String, byte[]> awaitDeadLetter(String key) {
    Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(50))
        .until(() -> h.deadLetters().stream().anyMatch(d -> key.equals(d.key())));
    return h.deadLetters().stream().filter(d -> key.equals(d.key())).findFirst().orElseThrow();
  }

  private long creates() {
    return h.sim().counters().createRequests() + h.sim().counters().legacyCreateRequests();
  }

  private void assertReady() {
    assertThat(Readiness.status(app)).as("/health/ready").isEqualTo(200);
  }

  private double droppedHeaders(String reason) {
    var counter = app.registry().find("kie_worker.headers.dropped").tag("reason", reason).counter();
    return counter == null ? 0 : counter.count();
  }

  private static double counter(WorkerApp worker, String prometheusName) {
    return worker.registry().scrape().lines().filter(l -> l.startsWith(prometheusName))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }

  private static void limitTopic(String topic, int maxMessageBytes) throws Exception {
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    AlterConfigOp op = new AlterConfigOp(new ConfigEntry("max.message.bytes", Integer.toString(maxMessageBytes)),
        AlterConfigOp.OpType.SET);
    KafkaBroker.admin().incrementalAlterConfigs(Map.of(resource, (Collection<AlterConfigOp>) List.of(op)))
        .all().get(30, TimeUnit.SECONDS);
  }

  private static List<String> headers(ConsumerRecord<String, byte[]> record, String name) {
    List<String> values = new ArrayList<>();
    for (Header header : record.headers()) {
      if (header.key().equalsIgnoreCase(name)) {
        values.add(header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8));
      }
    }
    return values;
  }

  private void send(String topic, String key, byte[] value, List<Header> headers) {
    try {
      producer.send(new ProducerRecord<>(topic, null, key, value, headers)).get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("send failed", e);
    }
  }

  private static KafkaProducer<String, byte[]> producer() {
    Properties props = new Properties();
    props.putAll(KafkaBroker.producerConfig());
    props.put("max.request.size", "1048000");
    return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
