package io.kieworker.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.kieworker.sim.SimOptions;
import io.kieworker.testing.KafkaBroker;
import io.kieworker.testing.S3Server;
import io.kieworker.testing.WorkerHarness;
import io.kieworker.worker.WorkerApp;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Issue 13's crash window: a worker JVM halted (as kill -9) right after its copy of a result's
 * images reached the ledger and before the result was published. The next owner publishes the
 * recorded copy: one result, one object, and the image downloaded from Kie.ai only once.
 */
@ExtendWith({KafkaBroker.class, S3Server.class})
class StoreCrashTest {

  @Test
  void aKillBetweenCopyAndPublishNeitherCopiesTwiceNorLosesTheResult() throws Exception {
    String bucket = S3Server.createBucket("store-crash");
    SimOptions sim = new SimOptions().latency(SimOptions.ANY_MODEL, Duration.ofMillis(300), Duration.ofMillis(500))
        .rateLimit(0, Duration.ofSeconds(10)).seed(133L);
    try (WorkerHarness h = new WorkerHarness(1, sim)) {
      Map<String, String> env = new HashMap<>(h.env(Map.of()));
      env.put("WORKER_RESULT_STORE", "s3://" + bucket + "/crash");
      env.put("WORKER_RESULT_STORE_ENDPOINT", S3Server.endpoint());
      env.put("WORKER_RESULT_FETCH_ALLOW_HTTP", "127.0.0.1");
      env.put("LOG_FORMAT", "text");
      env.putAll(S3Server.awsEnv());
      Path dir = Files.createTempDirectory("store-crash-");
      // A short session so the group gives the killed member's partitions away in seconds.
      Path overlay = WorkerProcess.shortSessionOverlay(dir, 6000);
      Map<String, String> crashing = new HashMap<>(env);
      crashing.put(StoreCrashHook.VARIABLE, "1");
      WorkerProcess first = WorkerProcess.start("store-crash-1", crashing, overlay, dir);

      h.send("crash-1", new JsonObject().put("requestId", "crash-1").put("model", "google/nano-banana")
          .put("input", new JsonObject().put("prompt", "a banana").put("output_format", "png"))
          .put("metadata", new JsonObject().put("tenant", "acme")).encode());
      assertThat(first.awaitExit(Duration.ofSeconds(90))).as("the crash hook halted the worker").isTrue();
      assertThat(first.exitCode()).isEqualTo(137);
      assertThat(Files.readString(first.log)).contains("halting between a stored copy and its result");
      assertThat(h.results()).as("nothing was published before the halt").isEmpty();
      assertThat(S3Server.list(bucket)).hasSize(1);
      long downloadsBefore = h.sim().counters().resultDownloads();

      WorkerApp second = h.startWorker(Map.of("WORKER_RESULT_STORE", "s3://" + bucket + "/crash",
          "WORKER_RESULT_STORE_ENDPOINT", S3Server.endpoint(), "WORKER_RESULT_FETCH_ALLOW_HTTP", "127.0.0.1"));
      JsonObject result = h.awaitResultsFor(List.of("crash-1"), Duration.ofSeconds(90)).get("crash-1");

      assertThat(result.getString("status")).isEqualTo("SUCCEEDED");
      assertThat(result.getJsonArray("storedUrls")).hasSize(1);
      String key = result.getJsonArray("stored").getJsonObject(0).getString("key");
      List<S3Object> objects = S3Server.list(bucket);
      assertThat(objects).extracting(S3Object::key).containsExactly(key);
      assertThat(result.getJsonArray("storedUrls").getString(0)).isEqualTo("s3://" + bucket + "/" + key);
      assertThat(h.sim().counters().resultDownloads()).as("not downloaded again").isEqualTo(downloadsBefore);
      assertThat(counter(second, "already_stored")).isEqualTo(1);
      assertThat(counter(second, "stored")).isZero();
      Awaitility.await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5))
          .until(() -> h.resultsFor("crash-1").size() == 1);
      assertThat(h.sim().counters().createsAccepted()).as("one paid task").isEqualTo(1);
    }
  }

  private static double counter(WorkerApp app, String outcome) {
    Counter c = app.registry().find("kie_worker.result.store").tag("outcome", outcome).counter();
    return c == null ? 0 : c.count();
  }
}
