package io.kieworker.kie;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kieworker.sim.KieSimulator;
import io.kieworker.sim.ScriptedResponse;
import io.kieworker.sim.SimEndpoint;
import io.kieworker.sim.SimOptions;
import io.kieworker.sim.SimTask;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link KieClient} against an in-process {@link KieSimulator} over real loopback HTTP. Every
 * client call runs on one Vert.x context; the test thread waits for it with a bound.
 */
class KieClientSimulatorTest {
  private static final String KEY = "sk-sim-SECRET-4f9c2e7a51";
  private static final String WRONG_KEY = "sk-sim-WRONG-91d0b3c6e8";
  private static final Duration WAIT = Duration.ofSeconds(10);
  /** Generous for answers that do come: a cold JVM on two cores can take a few hundred ms. */
  private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(5);
  /** For calls whose answer never comes (hang, slow fault). */
  private static final Duration SHORT_TIMEOUT = Duration.ofSeconds(1);
  private static final String EDIT_IMAGE =
      "https://file.aiquickdraw.com/custom-page/akr/section-images/1756223420389w8xa2jfe.png";
  /** A 1x1 PNG. */
  private static final String PNG_BASE64 =
      "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";
  private static final byte[] PNG = Base64.getDecoder().decode(PNG_BASE64);

  private static Vertx vertx;
  private static Context context;
  private static KieSimulator sim;

  /** toString of every option set, result and error seen: checked for keys after each test. */
  private final List<String> printed = new ArrayList<>();
  private final List<KieClient> clients = new ArrayList<>();
  private final List<KieSimulator> extraSims = new ArrayList<>();

  @BeforeAll
  static void startSimulator() {
    vertx = Vertx.vertx();
    context = vertx.getOrCreateContext();
    sim = awaitFuture(KieSimulator.start(vertx, simOptions()));
  }

  @AfterAll
  static void stopSimulator() {
    awaitFuture(sim.close());
    awaitFuture(vertx.close());
  }

  @BeforeEach
  void resetSimulator() {
    awaitFuture(sim.reset());
  }

  @AfterEach
  void closeAndCheckSecrets() {
    clients.forEach(KieClient::close);
    extraSims.forEach(s -> awaitFuture(s.close()));
    assertThat(printed).isNotEmpty();
    assertThat(printed).allSatisfy(text -> assertThat(text).doesNotContain(KEY).doesNotContain(WRONG_KEY));
  }

  // ---- 1, 2: Market tasks ----------------------------------------------------------------------

  static Stream<Arguments> marketRequests() {
    return Stream.of(
        Arguments.of("google/nano-banana", new JsonObject()
            .put("prompt", "A surreal painting of a giant banana floating in space, vibrant colors")
            .put("output_format", "png").put("image_size", "1:1")),
        Arguments.of("google/nano-banana-edit", new JsonObject()
            .put("prompt", "turn this photo into a character figure on a round plastic base")
            .put("image_urls", new JsonArray().add(EDIT_IMAGE))
            .put("output_format", "jpeg").put("image_size", "16:9")),
        Arguments.of("nano-banana-pro", new JsonObject()
            .put("prompt", "Comic poster: cool banana hero in shades leaps from a sci-fi pad")
            .put("image_input", new JsonArray()).put("aspect_ratio", "1:1")
            .put("resolution", "2K").put("output_format", "png")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("marketRequests")
  void marketTaskSucceedsAndRecordEchoesTheRequest(String model, JsonObject input) {
    KieClient client = client(sim, retries(new AtomicInteger(), 3), ANSWER_TIMEOUT);

    String taskId = call(() -> client.createTask(model, input, null)).value();
    TaskRecord record = pollUntilDone(() -> client.recordInfo(taskId));

    SimTask simTask = sim.tasks().find(taskId).orElseThrow();
    assertThat(record.state()).isEqualTo(TaskState.SUCCESS);
    assertThat(record.taskId()).isEqualTo(taskId);
    assertThat(record.model()).isEqualTo(model);
    assertThat(record.resultUrls()).containsExactly(simTask.resultUrl());
    assertThat(record.param()).isEqualTo(new JsonObject().put("model", model).put("input", input));
    assertThat(record.creditsConsumed()).isEqualTo(simTask.credits()).isPositive();
    assertThat(record.generationTime()).isEqualTo(Duration.ofMillis(simTask.latencyMs()));
    assertThat(record.failCode()).isNull();
    assertThat(sim.counters().createRequests()).isEqualTo(1);
    assertThat(sim.counters().createsAccepted(model)).isEqualTo(1);
  }

  @Test
  void failDirectiveEndsTheTaskInFailWithCodeAndMessage() {
    KieClient client = client(sim, retries(new AtomicInteger(), 3), ANSWER_TIMEOUT);

    String taskId = call(() -> client.createTask("google/nano-banana", prompt("a banana [sim:fail=500]"), null))
        .value();
    TaskRecord record = pollUntilDone(() -> client.recordInfo(taskId));

    assertThat(record.state()).isEqualTo(TaskState.FAIL);
    assertThat(record.failCode()).isEqualTo("500");
    assertThat(record.failMsg()).isEqualTo("Internal Error, Please try again later");
    assertThat(record.resultUrls()).isEmpty();
    assertThat(record.creditsConsumed()).isNull();
    assertThat(sim.tasks().failed()).isEqualTo(1);
  }

  // ---- 3: every error class from real answers --------------------------------------------------

  @Test
  void wrongKeyIsAuthOnEveryCallAndNeverRetried() {
    AtomicInteger retried = new AtomicInteger();
    KieClient client = client(sim.baseUrl(), WRONG_KEY, retries(retried, 4), ANSWER_TIMEOUT);

    KieResult<String> create = call(() -> client.createTask("google/nano-banana", prompt("x"), null));
    KieResult<TaskRecord> read = call(() -> client.recordInfo("any"));
    KieResult<Double> credits = call(client::credits);

    for (KieResult<?> r : List.of(create, read, credits)) {
      assertThat(r.errorClass()).as(r.toString()).isEqualTo(ErrorClass.AUTH);
      assertThat(r.error().code()).isEqualTo("401");
      assertThat(r.error().httpStatus()).isEqualTo(200);
      assertThat(r.error().message()).startsWith("Unauthorized");
    }
    assertThat(retried).hasValue(0);
    assertThat(sim.counters().rejections(401)).isEqualTo(3);
    assertThat(sim.tasks().size()).isZero();
  }

  @Test
  void invalidInputIsPermanentWithTheSimulatorsMessage() {
    AtomicInteger retried = new AtomicInteger();
    KieClient client = client(sim, retries(retried, 4), ANSWER_TIMEOUT);

    KieResult<String> r = call(() -> client.createTask("google/nano-banana", prompt("b".repeat(5001)), null));

    assertThat(r.errorClass()).isEqualTo(ErrorClass.PERMANENT);
    assertThat(r.error().code()).isEqualTo("422");
    assertThat(r.error().message()).startsWith("Validation failed: input.prompt").contains("5000");
    assertThat(retried).hasValue(0);
    assertThat(sim.counters().createRequests()).isEqualTo(1);
    assertThat(sim.counters().rejections(422)).isEqualTo(1);
    assertThat(sim.tasks().size()).isZero();
  }

  @Test
  void unknownTaskIsNotFoundOnBothRecordEndpoints() {
    AtomicInteger retried = new AtomicInteger();
    KieClient client = client(sim, retries(retried, 4), ANSWER_TIMEOUT);

    KieResult<TaskRecord> market = call(() -> client.recordInfo("no-such-task"));
    KieResult<TaskRecord> legacy = call(() -> client.legacyRecordInfo("no-such-task"));

    for (KieResult<TaskRecord> r : List.of(market, legacy)) {
      assertThat(r.errorClass()).as(r.toString()).isEqualTo(ErrorClass.NOT_FOUND);
      assertThat(r.error().code()).isEqualTo("404");
      assertThat(r.error().message()).isEqualTo("Task not found: no-such-task");
    }
    assertThat(retried).hasValue(0);
    assertThat(sim.counters().recordInfoPolls()).isEqualTo(1);
    assertThat(sim.counters().legacyRecordInfoPolls()).isEqualTo(1);
  }

  @Test
  void exhaustedCreditsAreCredits() {
    AtomicInteger retried = new AtomicInteger();
    KieClient client = client(sim, retries(retried, 4), ANSWER_TIMEOUT);
    sim.credits(0);

    KieResult<String> r = call(() -> client.createTask("google/nano-banana", prompt("no money"), null));

    assertThat(r.errorClass()).isEqualTo(ErrorClass.CREDITS);
    assertThat(r.error().code()).isEqualTo("402");
    assertThat(r.error().message()).startsWith("Insufficient Credits");
    assertThat(retried).hasValue(0);
    assertThat(sim.counters().createRequests()).isEqualTo(1);
    assertThat(sim.tasks().size()).isZero();
    assertThat(call(client::credits).value()).isZero();
  }

  @Test
  void maintenanceIsTransientAndAnAnsweredCreateIsNotRepeated() {
    AtomicInteger retried = new AtomicInteger();
    KieClient client = client(sim, retries(retried, 3), ANSWER_TIMEOUT);

    sim.faults().maintenance(true);
    KieResult<String> duringWindow = call(() -> client.createTask("google/nano-banana", prompt("m"), null));
    assertThat(duringWindow.errorClass()).isEqualTo(ErrorClass.TRANSIENT);
    assertThat(duringWindow.error().code()).isEqualTo("455");
    assertThat(duringWindow.error().httpStatus()).isEqualTo(200);
    assertThat(sim.counters().maintenance()).isEqualTo(1);
    assertThat(retried).hasValue(0);

    // A read in the same window is safe to repeat, and is: every attempt meets maintenance.
    KieResult<Double> read = call(client::credits);
    assertThat(read.errorClass()).isEqualTo(ErrorClass.TRANSIENT);
    assertThat(sim.counters().maintenance()).isEqualTo(1 + 3);
    assertThat(retried).hasValue(2);

    sim.faults().maintenance(false);
    sim.script(SimEndpoint.CREATE_TASK, ScriptedResponse.error(455));
    KieResult<String> scripted = call(() -> client.createTask("google/nano-banana", prompt("m"), null));
    assertThat(scripted.errorClass()).isEqualTo(ErrorClass.TRANSIENT);
    assertThat(scripted.error().code()).isEqualTo("455");
    assertThat(sim.counters().scripted()).isEqualTo(1);
    assertThat(retried).hasValue(2);
    assertThat(sim.tasks().size()).isZero();

    assertThat(call(() -> client.createTask("google/nano-banana", prompt("m"), null)).isOk()).isTrue();
  }

  @Test
  void scripted500OnRecordInfoIsRetriedUntilSuccess() {
    AtomicInteger retried = new AtomicInteger();
    KieClient client = client(sim, retries(retried, 4), ANSWER_TIMEOUT);
    String taskId = call(() -> client.createTask("google/nano-banana", prompt("p [sim:latency=0ms]"), null))
        .value();
    sim.script(SimEndpoint.RECORD_INFO, ScriptedResponse.error(500), ScriptedResponse.error(500));

    KieResult<TaskRecord> r = call(() -> client.recordInfo(taskId));

    assertThat(r.isOk()).as(r.toString()).isTrue();
    assertThat(r.value().state()).isEqualTo(TaskState.SUCCESS);
    assertThat(retried).hasValue(2);
    assertThat(sim.counters().rejections(500)).isEqualTo(2);
    assertThat(sim.counters().scripted()).isEqualTo(2);
    assertThat(sim.counters().recordInfoPolls()).isEqualTo(1);
  }

  @Test
  void errorsMirroredIntoHttpStatusAreClassifiedTheSameWay() {
    KieSimulator mirrored = extraSim(simOptions().httpStatusErrors(true));
    AtomicInteger retried = new AtomicInteger();
    KieClient client = client(mirrored, retries(retried, 4), ANSWER_TIMEOUT);
    KieClient wrongKey = client(mirrored.baseUrl(), WRONG_KEY, retries(retried, 4), ANSWER_TIMEOUT);

    assertError(call(() -> wrongKey.createTask("google/nano-banana", prompt("x"), null)), ErrorClass.AUTH, 401);
    assertError(call(() -> client.createTask("google/nano-banana", new JsonObject(), null)),
        ErrorClass.PERMANENT, 422);
    assertError(call(() -> client.recordInfo("nope")), ErrorClass.NOT_FOUND, 404);
    mirrored.script(SimEndpoint.CREATE_TASK, ScriptedResponse.error(429));
    KieResult<String> limited = call(() -> client.createTask("google/nano-banana", prompt("x"), null));
    assertError(limited, ErrorClass.RATE_LIMITED, 429);
    assertThat(limited.error().retryAfter()).isEqualTo(Duration.ofSeconds(1));
    mirrored.credits(0);
    assertError(call(() -> client.createTask("google/nano-banana", prompt("x"), null)), ErrorClass.CREDITS, 402);
    assertThat(retried).hasValue(0);
    assertThat(mirrored.tasks().size()).isZero();

    mirrored.credits(1000);
    String taskId = call(() -> client.createTask("google/nano-banana", prompt("y"), null)).value();
    mirrored.script(SimEndpoint.RECORD_INFO, ScriptedResponse.error(500));
    assertThat(call(() -> client.recordInfo(taskId)).isOk()).isTrue();
    assertThat(retried).hasValue(1);
    assertThat(mirrored.counters().rejections(500)).isEqualTo(1);
  }

  // ---- 4: rate limits ----------------------------------------------------------------------------

  @Test
  void thirdCreateInTheWindowIsRateLimitedWithRetryAfter() {
    KieSimulator limitedSim = extraSim(simOptions().rateLimit(2, Duration.ofSeconds(10)));
    AtomicInteger retried = new AtomicInteger();
    KieClient client = client(limitedSim, retries(retried, 4), ANSWER_TIMEOUT);

    for (String p : List.of("1", "2")) {
      KieResult<String> r = call(() -> client.createTask("google/nano-banana", prompt(p), null));
      assertThat(r.isOk()).as(r.toString()).isTrue();
    }
    KieResult<String> third = call(() -> client.createTask("google/nano-banana", prompt("3"), null));

    assertError(third, ErrorClass.RATE_LIMITED, 429);
    assertThat(third.error().retryAfter()).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(10));
    assertThat(retried).hasValue(0);
    assertThat(limitedSim.counters().createRequests()).isEqualTo(3);
    assertThat(limitedSim.counters().rateLimited()).isEqualTo(1);
    assertThat(limitedSim.tasks().size()).isEqualTo(2);
  }

  @Test
  void scripted429OnReadsIsRetriedAfterRetryAfterThenSucceeds() throws Exception {
    AtomicInteger retried = new AtomicInteger();
    KieClient client = client(sim, retries(retried, 3), ANSWER_TIMEOUT);
    String taskId = call(() -> client.createTask("google/nano-banana", prompt("r [sim:latency=0ms]"), null))
        .value();
    sim.script(SimEndpoint.RECORD_INFO, ScriptedResponse.error(429));
    sim.script(SimEndpoint.CREDIT, ScriptedResponse.error(429));

    // Both reads wait out the simulator's Retry-After (1 s) at the same time.
    long started = System.nanoTime();
    CompletableFuture<KieResult<TaskRecord>> record = start(() -> client.recordInfo(taskId));
    CompletableFuture<KieResult<Double>> credits = start(client::credits);
    KieResult<TaskRecord> recordResult = record.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    KieResult<Double> creditsResult = credits.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
    printed.add(recordResult.toString());
    printed.add(creditsResult.toString());

    assertThat(recordResult.value().state()).isEqualTo(TaskState.SUCCESS);
    assertThat(creditsResult.value()).isPositive();
    assertThat(elapsed).isGreaterThanOrEqualTo(Duration.ofMillis(950));
    assertThat(retried).hasValue(2);
    assertThat(sim.counters().rejections(429)).isEqualTo(2);
    assertThat(sim.counters().recordInfoPolls()).isEqualTo(1);
    assertThat(sim.counters().creditChecks()).isEqualTo(1);
  }

  // ---- 5: uploads ------------------------------------------------------------------------------

  @Test
  void uploadedDataUriFeedsAnEditTask() {
    KieClient client = client(sim, retries(new AtomicInteger(), 3), ANSWER_TIMEOUT);

    UploadedFile file = call(() -> client.uploadDataUri("data:image/png;base64," + PNG_BASE64, "kie-worker/in", null))
        .value();
    assertThat(file.downloadUrl()).isEqualTo("https://tempfile.kie-sim.invalid/kie-worker/in/image.png");
    assertThat(file.fileSize()).isEqualTo(PNG.length);
    assertThat(file.mimeType()).isEqualTo("image/png");

    JsonObject input = new JsonObject().put("prompt", "make it a figurine")
        .put("image_urls", new JsonArray().add(file.downloadUrl())).put("output_format", "png");
    String taskId = call(() -> client.createTask("google/nano-banana-edit", input, null)).value();
    TaskRecord record = pollUntilDone(() -> client.recordInfo(taskId));

    assertThat(record.state()).isEqualTo(TaskState.SUCCESS);
    assertThat(record.param().getJsonObject("input").getJsonArray("image_urls").getList())
        .containsExactly(file.downloadUrl());
    assertThat(sim.counters().uploads("base64")).isEqualTo(1);
    assertThat(sim.counters().uploads("stream")).isZero();
  }

  @Test
  void inlineImageAboveTheBase64LimitIsStreamedDecodedIntoTheBodyAndStoredIntact() throws Exception {
    KieClient client = client(sim, retries(new AtomicInteger(), 1), Duration.ofSeconds(30));
    byte[] image = new byte[KieClient.BASE64_UPLOAD_LIMIT_BYTES + 1_001];
    new java.util.Random(3).nextBytes(image);
    DataUri uri = DataUri.parse("data:image/webp;base64," + Base64.getEncoder().encodeToString(image));

    UploadedFile file = call(() -> client.uploadInlineImage(uri, "kie-worker/big", "abc-0.webp")).value();

    assertThat(file.downloadUrl()).isEqualTo("https://tempfile.kie-sim.invalid/kie-worker/big/abc-0.webp");
    assertThat(file.fileSize()).isEqualTo(image.length);
    assertThat(file.mimeType()).isEqualTo("image/webp");
    assertThat(sim.fileAt(file.downloadUrl())).map(io.kieworker.sim.SimFile::sha256).hasValue(
        java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(image)));
    assertThat(sim.counters().uploads("stream")).isEqualTo(1);
    assertThat(sim.counters().uploads("base64")).isZero();
  }

  @Test
  void inlineImageUploadIsOneAttemptWhateverTheError() {
    KieClient client = client(sim, retries(new AtomicInteger(), 4), ANSWER_TIMEOUT);
    sim.script(SimEndpoint.UPLOAD_BASE64, ScriptedResponse.error(500));

    KieResult<UploadedFile> r = call(() -> client.uploadInlineImage(
        DataUri.parse("data:image/png;base64," + PNG_BASE64), "kie-worker/x", "a-0.png"));

    assertThat(r.errorClass()).isEqualTo(ErrorClass.TRANSIENT);
    assertThat(sim.counters().rejections(500)).as("the worker decides about retries").isEqualTo(1);
    assertThat(sim.files()).isEmpty();
  }

  @Test
  void streamAndUrlUploadsReportTheStoredFile() {
    KieClient client = client(sim, retries(new AtomicInteger(), 3), ANSWER_TIMEOUT);

    UploadedFile streamed = call(() -> client.uploadStream(Buffer.buffer(PNG), "cat.png", "image/png", "kie-worker/in"))
        .value();
    UploadedFile fetched = call(() -> client.uploadFromUrl("https://example.com/pics/dog.webp", "kie-worker/in", null))
        .value();
    KieResult<UploadedFile> notADataUri = call(() -> client.uploadDataUri("https://example.com/x.png", "p", null));

    assertThat(streamed.downloadUrl()).isEqualTo("https://tempfile.kie-sim.invalid/kie-worker/in/cat.png");
    assertThat(streamed.fileSize()).isEqualTo(PNG.length);
    assertThat(streamed.mimeType()).isEqualTo("image/png");
    assertThat(fetched.fileName()).isEqualTo("dog.webp");
    assertThat(fetched.filePath()).isEqualTo("kie-worker/in/dog.webp");
    assertThat(fetched.mimeType()).isEqualTo("image/webp");
    assertThat(fetched.fileSize()).isPositive();
    assertThat(notADataUri.errorClass()).isEqualTo(ErrorClass.PERMANENT);
    assertThat(sim.counters().uploads("stream")).isEqualTo(1);
    assertThat(sim.counters().uploads("url")).isEqualTo(1);
    assertThat(sim.counters().uploads("base64")).isZero();
  }

  // ---- 6: legacy flat API ----------------------------------------------------------------------

  @Test
  void legacyGenerateThenFlatRecordInfoUntilSuccess() {
    assertLegacyFlow(sim);
  }

  @Test
  void legacyRecordInfoWrappedInCodeMsgDataIsAcceptedToo() {
    KieSimulator wrapped = extraSim(simOptions().legacyWrapped(true));
    assertLegacyFlow(wrapped);

    KieClient client = client(wrapped, retries(new AtomicInteger(), 3), ANSWER_TIMEOUT);
    String failing = call(() -> client.legacyGenerate(new JsonObject()
        .put("prompt", "x [sim:fail=500]").put("model", "google/nano-banana"))).value();
    TaskRecord failed = pollUntilDone(() -> client.legacyRecordInfo(failing));
    assertThat(failed.state()).isEqualTo(TaskState.FAIL);
    assertThat(failed.failCode()).isEqualTo("500");
    assertThat(failed.failMsg()).isEqualTo("Internal Error, Please try again later");
  }

  private void assertLegacyFlow(KieSimulator target) {
    KieClient client = client(target, retries(new AtomicInteger(), 3), ANSWER_TIMEOUT);
    JsonObject seedBody = new JsonObject()
        .put("prompt", "A hyper-realistic portrait of a woman in a flowing dress in a field of wildflowers")
        .put("model", "google/nano-banana")
        .put("width", 1024).put("height", 1024).put("steps", 40).put("guidance_scale", 7.5);

    String taskId = call(() -> client.legacyGenerate(seedBody)).value();
    TaskRecord record = pollUntilDone(() -> client.legacyRecordInfo(taskId));

    SimTask simTask = target.tasks().find(taskId).orElseThrow();
    assertThat(simTask.legacy()).isTrue();
    assertThat(record.state()).isEqualTo(TaskState.SUCCESS);
    assertThat(record.taskId()).isEqualTo(taskId);
    assertThat(record.resultUrls()).containsExactly(simTask.resultUrl());
    assertThat(record.generationTime()).isNotNull();
    assertThat(target.counters().legacyCreateRequests()).isEqualTo(1);
    assertThat(target.counters().legacyRecordInfoPolls()).isPositive();
  }

  // ---- 7: ambiguous and never-sent creates -----------------------------------------------------

  @Test
  void createWhoseAnswerNeverComesIsAmbiguousAndNotRepeatedThoughTheTaskExists() {
    AtomicInteger retried = new AtomicInteger();
    KieClient client = client(sim, retries(retried, 4), SHORT_TIMEOUT);
    sim.script(SimEndpoint.CREATE_TASK, ScriptedResponse.hangUp().createFirst());
    sim.script(SimEndpoint.LEGACY_GENERATE, ScriptedResponse.hangUp().createFirst());

    KieResult<String> market = call(() -> client.createTask("google/nano-banana", prompt("lost"), null));
    KieResult<String> legacy = call(() -> client.legacyGenerate(new JsonObject().put("prompt", "lost too")));

    for (KieResult<String> r : List.of(market, legacy)) {
      assertThat(r.errorClass()).as(r.toString()).isEqualTo(ErrorClass.AMBIGUOUS);
      assertThat(r.error().code()).as(r.toString()).isEqualTo("TIMEOUT");
      assertThat(r.error().httpStatus()).isZero();
    }
    assertThat(retried).hasValue(0);
    assertThat(sim.counters().createRequests()).isEqualTo(1);
    assertThat(sim.counters().legacyCreateRequests()).isEqualTo(1);
    assertThat(sim.counters().hangs()).isEqualTo(2);
    assertThat(sim.tasks().size()).isEqualTo(2);
    // The task the client could not learn about is real and readable.
    String hidden = sim.tasks().all().stream().filter(t -> !t.legacy()).findFirst().orElseThrow().taskId();
    KieClient reader = client(sim, retries(new AtomicInteger(), 3), ANSWER_TIMEOUT);
    assertThat(call(() -> reader.recordInfo(hidden)).isOk()).isTrue();
  }

  @Test
  void randomHangFaultOnCreateIsAmbiguousToo() {
    AtomicInteger retried = new AtomicInteger();
    KieClient client = client(sim, retries(retried, 4), SHORT_TIMEOUT);
    sim.faults().hangRatio(1.0);

    KieResult<String> r = call(() -> client.createTask("google/nano-banana", prompt("hang"), null));

    assertThat(r.errorClass()).isEqualTo(ErrorClass.AMBIGUOUS);
    assertThat(retried).hasValue(0);
    assertThat(sim.counters().createRequests()).isEqualTo(1);
    assertThat(sim.tasks().size()).isEqualTo(1);
  }

  @Test
  void createAgainstAClosedPortIsTransientAndRetriedBecauseNothingWasSent() throws IOException {
    int closedPort;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = probe.getLocalPort();
    }
    AtomicInteger retried = new AtomicInteger();
    KieClient client = client("http://127.0.0.1:" + closedPort, KEY, retries(retried, 3), ANSWER_TIMEOUT);

    KieResult<String> r = call(() -> client.createTask("google/nano-banana", prompt("never sent"), null));

    assertThat(r.errorClass()).isEqualTo(ErrorClass.TRANSIENT);
    assertThat(r.error().code()).isEqualTo("CONNECTION");
    assertThat(r.error().httpStatus()).isZero();
    assertThat(r.error().message()).contains("before the request was sent");
    assertThat(retried).as("retries after the first attempt").hasValue(2);
  }

  // ---- 8: slow answers on a read ---------------------------------------------------------------

  @Test
  void slowReadTimesOutAsTransientThenRecoversOnceTheFaultIsOff() throws Exception {
    sim.faults().slowRatio(1.0).slow(Duration.ofMillis(2500));
    AtomicInteger retried = new AtomicInteger();
    KieClient impatient = client(sim, retries(retried, 2), SHORT_TIMEOUT);

    KieResult<Double> timedOut = call(impatient::credits);
    assertThat(timedOut.errorClass()).isEqualTo(ErrorClass.TRANSIENT);
    assertThat(timedOut.error().code()).as(timedOut.toString()).isEqualTo("TIMEOUT");
    assertThat(retried).hasValue(1);
    assertThat(sim.counters().slowed()).isEqualTo(2);

    KieClient patient = client(sim, retries(new AtomicInteger(), 30), SHORT_TIMEOUT);
    CompletableFuture<KieResult<Double>> pending = start(patient::credits);
    await().atMost(Duration.ofSeconds(10)).until(() -> sim.counters().slowed() >= 3);
    sim.faults().slowRatio(0);
    KieResult<Double> recovered = pending.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    printed.add(recovered.toString());

    assertThat(recovered.value()).isEqualTo(100_000.0);
    // The simulator still serves every slowed request after the client gave up on it; wait for
    // those so they don't land in the next test's counters.
    await().atMost(Duration.ofSeconds(10))
        .until(() -> sim.counters().creditChecks() == sim.counters().slowed() + 1);
  }

  // ---- 9: credits and download links -----------------------------------------------------------

  @Test
  void creditsAndDownloadUrlAreTheSimulatorsValues() {
    KieClient client = client(sim, retries(new AtomicInteger(), 3), ANSWER_TIMEOUT);

    assertThat(call(client::credits).value()).isEqualTo(100_000.0);
    sim.credits(1234.5);
    assertThat(call(client::credits).value()).isEqualTo(1234.5);
    String taskId = call(() -> client.createTask("google/nano-banana", prompt("d [sim:latency=0ms]"), null))
        .value();
    SimTask simTask = sim.tasks().find(taskId).orElseThrow();
    assertThat(call(client::credits).value()).isEqualTo(1234.5 - simTask.credits());

    String link = call(() -> client.downloadUrl(simTask.resultUrl())).value();
    assertThat(link).startsWith(simTask.resultUrl() + "?sim-token=").contains("&expires=");
    assertThat(sim.counters().downloadUrls()).isEqualTo(1);
    assertThat(sim.counters().creditChecks()).isEqualTo(3);
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private static SimOptions simOptions() {
    return new SimOptions().apiKey(KEY).seed(42L)
        .latency(SimOptions.ANY_MODEL, Duration.ofMillis(50), Duration.ofMillis(150));
  }

  private KieSimulator extraSim(SimOptions options) {
    KieSimulator extra = awaitFuture(KieSimulator.start(vertx, options));
    extraSims.add(extra);
    return extra;
  }

  /** Tiny delays; counts the retries (the policy draws one random number per retry). */
  private static RetryPolicy retries(AtomicInteger retried, int maxAttempts) {
    return new RetryPolicy(maxAttempts, Duration.ofMillis(10), Duration.ofMillis(40), () -> {
      retried.incrementAndGet();
      return 0.5;
    });
  }

  private KieClient client(KieSimulator target, RetryPolicy policy, Duration requestTimeout) {
    return client(target.baseUrl(), KEY, policy, requestTimeout);
  }

  private KieClient client(String baseUrl, String key, RetryPolicy policy, Duration requestTimeout) {
    KieClientOptions options = KieClientOptions.builder()
        .baseUrl(baseUrl).uploadBaseUrl(baseUrl).apiKey(key)
        .connectTimeout(Duration.ofMillis(500)).requestTimeout(requestTimeout)
        .uploadTimeout(Duration.ofSeconds(2)).retryPolicy(policy)
        .build();
    printed.add(options.toString());
    KieClient client = new KieClient(vertx, options);
    clients.add(client);
    return client;
  }

  private static JsonObject prompt(String text) {
    return new JsonObject().put("prompt", text).put("output_format", "png").put("image_size", "1:1");
  }

  private static void assertError(KieResult<?> r, ErrorClass expected, int status) {
    assertThat(r.errorClass()).as(r.toString()).isEqualTo(expected);
    assertThat(r.error().code()).isEqualTo(Integer.toString(status));
    assertThat(r.error().httpStatus()).isEqualTo(status);
  }

  private TaskRecord pollUntilDone(Supplier<Future<KieResult<TaskRecord>>> read) {
    AtomicReference<TaskRecord> last = new AtomicReference<>();
    await().atMost(Duration.ofSeconds(5)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(40))
        .until(() -> {
          KieResult<TaskRecord> r = call(read);
          assertThat(r.isOk()).as(r.toString()).isTrue();
          last.set(r.value());
          return r.value().state().terminal();
        });
    printed.add(last.get().toString());
    return last.get();
  }

  /** Starts a client call on the shared context. */
  private static <T> CompletableFuture<T> start(Supplier<Future<T>> op) {
    CompletableFuture<T> done = new CompletableFuture<>();
    context.runOnContext(v -> op.get().onComplete(ar -> {
      if (ar.succeeded()) {
        done.complete(ar.result());
      } else {
        done.completeExceptionally(ar.cause());
      }
    }));
    return done;
  }

  private <T> KieResult<T> call(Supplier<Future<KieResult<T>>> op) {
    KieResult<T> result = join(start(op));
    printed.add(result.toString());
    if (!result.isOk()) {
      printed.add(result.error().toString());
      printed.add(result.error().message());
    }
    return result;
  }

  private static <T> T awaitFuture(Future<T> future) {
    return join(future.toCompletionStage().toCompletableFuture());
  }

  private static <T> T join(CompletableFuture<T> future) {
    try {
      return future.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError("no result within " + WAIT + ": " + e, e);
    }
  }
}
