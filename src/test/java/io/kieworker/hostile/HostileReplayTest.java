package io.kieworker.hostile;

import static io.kieworker.testing.WorkerHarness.header;
import static io.kieworker.testing.WorkerHarness.marker;
import static io.kieworker.testing.WorkerHarness.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.kieworker.sim.SimOptions;
import io.kieworker.testing.KafkaBroker;
import io.kieworker.testing.WorkerHarness;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Hostile ledger and re-delivery: one scenario on a real broker and the simulator, one worker start
 * before and one after a restart whose group offsets were rewound to the beginning (every request
 * record is read again, as after a crash before any commit), with hostile values written straight
 * into the ledger topic in between. Each test asserts one case's outcome.
 *
 * <p>Before the restart: A (valid, finished), A again as a new record (republished), I (invalid),
 * C and D (valid, still running at the stop). Written into the ledger while no worker runs: a
 * record of an unknown type for C, a malformed value for D, and a TERMINAL for S dated two days back
 * (beyond the 24 h window). After the restart: S sent, then Z, a last valid request on the same
 * (only) partition: once Z has its result every earlier record has been read again.
 */
@ExtendWith(KafkaBroker.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileReplayTest {
  private static final String MODEL = "google/nano-banana";
  /** Slow enough to be still running when the first worker stops, fast enough for the test. */
  private static final String SLOW_MODEL = "nano-banana-2-lite";

  private WorkerHarness h;
  private final String a = "replay-a";
  private final String invalid = "replay-invalid";
  private final String c = "replay-unknown-type";
  private final String d = "replay-malformed";
  private final String s = "replay-stale";
  private final String z = "replay-last";
  private long createsBeforeRestart;
  private int readyStatus;
  private boolean staleSwept;

  @BeforeAll
  void runScenario() throws Exception {
    SimOptions sim = new SimOptions().latency(SimOptions.ANY_MODEL, Duration.ofMillis(200), Duration.ofMillis(400))
        .latency(SLOW_MODEL, Duration.ofSeconds(8)).rateLimit(0, Duration.ofSeconds(10)).seed(91L);
    h = new WorkerHarness(1, sim);
    var first = h.startWorker(Map.of());
    h.send(a, request(a, MODEL, ""));
    h.send(invalid, new JsonObject().put("requestId", invalid).put("model", "no/such-model")
        .put("input", new JsonObject().put("prompt", "x")).encode());
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> h.resultsFor(a).size() == 1
        && h.resultsFor(invalid).size() == 1 && h.deadLetters().size() == 1);
    h.send(a, request(a, MODEL, "again")); // a new record, same request id: the stored result again
    h.send(c, request(c, SLOW_MODEL, ""));
    h.send(d, request(d, SLOW_MODEL, ""));
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> h.resultsFor(a).size() == 2
        && h.simTasksWithPrompt(marker(c)) == 1 && h.simTasksWithPrompt(marker(d)) == 1
        && ledgerValue(c).contains("\"SUBMITTED\"") && ledgerValue(d).contains("\"SUBMITTED\""));
    h.stopWorker(first);
    createsBeforeRestart = h.sim().counters().createsAccepted();

    writeLedger(c, "{\"v\":2,\"type\":\"SUBMITTED_V2\",\"requestId\":\"" + c + "\",\"epoch\":99}", null);
    writeLedger(d, "{\"v\":1,\"type\":\"TERMINAL\",\"requestId\":", null);
    JsonObject staleResult = new JsonObject(new String(h.resultsFor(a).get(0).value(), StandardCharsets.UTF_8))
        .put("requestId", s).put("taskId", "stale-task");
    writeLedger(s, new JsonObject().put("v", 1).put("type", "TERMINAL").put("requestId", s).put("model", MODEL)
        .put("endpoint", "market").put("attempts", 1).put("writer", "old").put("epoch", 1)
        .put("result", staleResult).encode(), Instant.now().minus(Duration.ofDays(2)).toEpochMilli());
    rewindGroup();

    var second = h.startWorker(Map.of());
    // Not fatal here: each case asserts its own outcome, so a regression names the case it breaks.
    staleSwept = quietly(() -> Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> ledgerTombstoned(s)));
    h.send(s, request(s, MODEL, ""));
    h.send(z, request(z, MODEL, ""));
    quietly(() -> h.awaitResultsFor(List.of(a, invalid, c, d, s, z), Duration.ofSeconds(60)));
    readyStatus = ready(second.httpPort());
  }

  private static boolean quietly(Runnable wait) {
    try {
      wait.run();
      return true;
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      return false;
    }
  }

  @AfterAll
  void close() {
    if (h != null) {
      h.close();
    }
  }

  @Test
  void theSameFinishedRecordReadAgainAfterARestartWithoutCommitGetsNoSecondResult() {
    // Two records with id A: the first answered by its task, the second by the republish. Both
    // were read again after the rewind; neither got anything new.
    assertThat(h.resultsFor(a)).hasSize(2);
    assertThat(h.simTasksWithPrompt(marker(a))).as("A paid once").isEqualTo(1);
  }

  @Test
  void aNewRecordWithTheSameIdGetsTheStoredResultOnce() {
    List<ConsumerRecord<String, byte[]>> results = h.resultsFor(a);
    JsonObject first = json(results.get(0));
    JsonObject republished = json(results.get(1));
    assertThat(republished.getString("status")).isEqualTo("SUCCEEDED");
    assertThat(republished.getString("taskId")).isEqualTo(first.getString("taskId"));
    assertThat(header(results.get(1), "ce_id")).isEqualTo(header(results.get(0), "ce_id"));
  }

  @Test
  void anInvalidRecordReadAgainAfterARestartHasOneDeadLetterAndOneRejectedResult() {
    assertThat(h.deadLetters()).hasSize(1);
    assertThat(header(h.deadLetters().get(0), "dlq.reason")).isEqualTo("INVALID");
    assertThat(h.resultsFor(invalid)).hasSize(1);
    JsonObject rejected = json(h.resultsFor(invalid).get(0));
    assertThat(rejected.getString("status")).isEqualTo("REJECTED");
    assertThat(rejected.getJsonObject("error").getString("code")).isEqualTo("VALIDATION");
  }

  @Test
  void aLedgerRecordOfAnUnknownTypeKeepsTheRequestsStateAndItCompletesOnce() {
    assertThat(h.resultsFor(c)).hasSize(1);
    assertThat(json(h.resultsFor(c).get(0)).getString("status")).isEqualTo("SUCCEEDED");
    assertThat(json(h.resultsFor(c).get(0)).getInteger("attempts")).isEqualTo(1);
    assertThat(h.simTasksWithPrompt(marker(c))).as("C paid once").isEqualTo(1);
  }

  @Test
  void aMalformedLedgerValueKeepsTheRequestsStateAndItCompletesOnce() {
    assertThat(h.resultsFor(d)).hasSize(1);
    assertThat(json(h.resultsFor(d).get(0)).getString("status")).isEqualTo("SUCCEEDED");
    assertThat(h.simTasksWithPrompt(marker(d))).as("D paid once").isEqualTo(1);
  }

  @Test
  void aTerminalOlderThanTheDedupeWindowIsSweptAfterTheReplayAndItsIdRunsAgain() {
    assertThat(staleSwept).as("a tombstone for the stale TERMINAL's key after the replay").isTrue();
    // The request sent after it is a new one, not the stale stored result republished.
    assertThat(h.resultsFor(s)).hasSize(1);
    JsonObject result = json(h.resultsFor(s).get(0));
    assertThat(result.getString("status")).isEqualTo("SUCCEEDED");
    assertThat(result.getString("taskId")).isNotEqualTo("stale-task");
    assertThat(h.simTasksWithPrompt(marker(s))).isEqualTo(1);
  }

  @Test
  void nothingWasPaidTwiceTheInstanceStayedReadyAndThePartitionKeptMoving() {
    assertThat(createsBeforeRestart).as("A, C, D").isEqualTo(3);
    assertThat(h.sim().counters().createsAccepted()).as("plus S and Z only").isEqualTo(5);
    assertThat(h.sim().counters().createRequests()).isEqualTo(5);
    assertThat(readyStatus).isEqualTo(200);
    assertThat(h.resultsFor(z)).hasSize(1);
    assertThat(json(h.resultsFor(z).get(0)).getString("status")).isEqualTo("SUCCEEDED");
    assertThat(h.duplicates()).as("only A's republish").isEqualTo(1);
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private static JsonObject json(ConsumerRecord<String, byte[]> record) {
    return new JsonObject(new String(record.value(), StandardCharsets.UTF_8));
  }

  private void writeLedger(String key, String value, Long timestamp) throws Exception {
    Properties props = new Properties();
    props.putAll(KafkaBroker.producerConfig());
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(h.ledger, 0, timestamp, key, value.getBytes(StandardCharsets.UTF_8)))
          .get(30, TimeUnit.SECONDS);
    }
  }

  /** The group's committed offsets back to 0: every request record is read again. */
  private void rewindGroup() {
    // Retried: the stopped worker's member may take a moment to leave the group.
    Awaitility.await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
      // The shared admin client: never closed here (every later test class needs it).
      KafkaBroker.admin().alterConsumerGroupOffsets(h.group,
          Map.of(new TopicPartition(h.requests, 0), new OffsetAndMetadata(0))).all().get(10, TimeUnit.SECONDS);
    });
  }

  /** Every ledger record of partition 0 written so far. */
  private List<ConsumerRecord<String, byte[]>> ledgerRecords() {
    return KafkaBroker.records(h.ledger, 0);
  }

  /** The latest value of {@code key} in the ledger ("" when none, or a tombstone). */
  private String ledgerValue(String key) {
    return KafkaBroker.latestValue(h.ledger, 0, key);
  }

  private boolean ledgerTombstoned(String key) {
    List<ConsumerRecord<String, byte[]>> records = ledgerRecords();
    return !records.isEmpty() && records.stream().anyMatch(r -> key.equals(r.key()) && r.value() == null);
  }

  private static int ready(int port) throws Exception {
    HttpResponse<Void> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready")).build(),
        HttpResponse.BodyHandlers.discarding());
    return response.statusCode();
  }
}
