package io.kieworker.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kieworker.callback.CallbackToken;
import io.kieworker.tools.broker.EmbeddedKafka;
import io.kieworker.kafka.Topics;
import io.kieworker.sim.KieSimulator;
import io.kieworker.sim.ScriptedResponse;
import io.kieworker.sim.SimEndpoint;
import io.kieworker.sim.SimOptions;
import io.vertx.core.Vertx;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The chaos suite (issue "Scale out: N instances, rebalances, crashes and broker restarts").
 * Worker JVMs against an embedded broker and the Kie.ai simulator with faults on, while 2,000
 * requests flow: scale 1 → 3 → 1, three kill -9 at different points (steady state, between a create
 * and its ledger write, during a rebalance), one broker restart, 429 bursts, forged and replayed
 * callbacks. It counts what downstream and the simulator saw, prints the figures (see
 * docs/reliability.md) and then asserts the targets.
 *
 * <p>Run: {@code mvn -B -DbuildDir=target-chaos test -Dtest='io.kieworker.chaos.*' -DexcludedTestGroups=none}.
 * Worker logs and the figures land in {@code <buildDir>/chaos/}.
 */
@Tag("chaos")
class ChaosSuiteTest {
  private static final int REQUESTS = Integer.getInteger("chaos.requests", 2000);
  private static final int RATE = Integer.getInteger("chaos.rate", 25);
  private static final int PARTITIONS = 6;
  private static final String API_KEY = "chaos-key-0123456789";
  private static final String CALLBACK_SECRET = "chaos-callback-secret-0123456789";
  private static final String HMAC_KEY = "chaos-webhook-hmac-key";
  private static final String REQUESTS_TOPIC = "chaos.requests";
  private static final String RESULTS_TOPIC = "chaos.results";

  private final List<WorkerProcess> workers = new CopyOnWriteArrayList<>();
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final ChaosFigures figures = new ChaosFigures();
  private final ScheduledExecutorService healthPoller = Executors.newSingleThreadScheduledExecutor();
  private final Vertx simVertx = Vertx.vertx();
  private Path logDir;
  private Path config;
  private EmbeddedKafka kafka;
  private KieSimulator sim;
  private CallbackBalancer balancer;
  private ResultWatcher watcher;
  private RequestFeeder feeder;
  private final Thread killAllOnExit = new Thread(this::killAll, "chaos-kill-workers");

  @Test
  @Timeout(value = 9, unit = TimeUnit.MINUTES)
  void twoThousandRequestsThroughKillsRebalancesAndABrokerRestart() throws Exception {
    long begin = System.currentTimeMillis();
    setUp();
    WorkerProcess w1 = startWorker("w1", Map.of());
    awaitReady(w1);
    feeder.start();

    awaitSent(150);
    burstOf429();
    WorkerProcess w2 = startWorker("w2", Map.of());
    WorkerProcess w3 = startWorker("w3", Map.of());
    awaitReady(w2);
    awaitReady(w3);

    awaitSent(300);
    forge(w1, 0);

    awaitSent(450);
    killNow("#1 kill -9 in steady state (3 instances)", awaitOwnsPartitions(w2));

    awaitSent(650);
    WorkerProcess w4 = startWorker("w4", Map.of());
    awaitReady(w4);

    awaitSent(800);
    burstOf429();
    crashBetweenCreateAndLedgerWrite();

    awaitSent(1100);
    restartBroker();

    awaitSent(1400);
    WorkerProcess w6 = startWorker("w6", Map.of());
    awaitOwnsPartitions(w6);
    killNow("#3 kill -9 during a rebalance (w6 joining)", w3);

    awaitSent(1600);
    burstOf429();
    forge(w4, 1);

    await("every request handed to Kafka and acknowledged").atMost(Duration.ofMinutes(3))
        .pollInterval(Duration.ofMillis(200)).until(feeder::done);
    scaleDownTo(w1, w4, w6);
    awaitAllResults();
    replayCallbacks(w1);
    forge(w1, 2);
    figures.runtimeMs = System.currentTimeMillis() - begin;
    w1.terminate(Duration.ofSeconds(30));

    report();
    assertTargets();
  }

  // ---- set-up --------------------------------------------------------------------------------------

  private void setUp() throws Exception {
    Runtime.getRuntime().addShutdownHook(killAllOnExit);
    Path buildDir = Path.of(ChaosSuiteTest.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getParent();
    logDir = Files.createDirectories(buildDir.resolve("chaos").resolve("run-" + System.currentTimeMillis()));
    config = logDir.resolve("chaos-overlay.yaml");
    // Kafka's default session timeout (45 s) would make every kill -9 cost 45 s before the group
    // notices; 10 s is a common production choice, and docs/reliability.md says so.
    Files.writeString(config, """
        kafka:
          properties:
            session.timeout.ms: "10000"
            heartbeat.interval.ms: "1000"
        """);
    kafka = EmbeddedKafka.start(EmbeddedKafka.Options.defaults().withDefaultPartitions(PARTITIONS));
    closeables.add(kafka);
    kafka.createTopics(Topics.Spec.plain(REQUESTS_TOPIC, PARTITIONS), Topics.Spec.plain(RESULTS_TOPIC, PARTITIONS),
        Topics.Spec.plain("chaos.dlq", PARTITIONS), Topics.Spec.compacted("chaos.tasks", PARTITIONS));
    SimOptions options = new SimOptions().apiKey(API_KEY).port(0)
        .rateLimit(400, Duration.ofSeconds(10))
        .latency(SimOptions.ANY_MODEL, Duration.ofMillis(500), Duration.ofMillis(2000))
        .webhookHmacKey(HMAC_KEY)
        .callbackRetryDelay(Duration.ofMillis(500))
        .callbackTimeout(Duration.ofSeconds(5))
        .seed(42L);
    options.faults().fault5xxRatio(0.03).failRatio(0.02).failCode("500")
        .slowRatio(0.05).slow(Duration.ofMillis(1500)).hangRatio(0.003);
    sim = KieSimulator.start(simVertx, options).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    balancer = new CallbackBalancer(this::liveWorkers);
    closeables.add(balancer);
    watcher = new ResultWatcher(kafka.bootstrapServers(), RESULTS_TOPIC);
    closeables.add(watcher);
    feeder = new RequestFeeder(kafka.bootstrapServers(), REQUESTS_TOPIC, REQUESTS, RATE, 10);
    closeables.add(feeder);
    figures.withoutCallback = feeder.withoutCallback();
    healthPoller.scheduleWithFixedDelay(() -> liveWorkers().forEach(WorkerProcess::refreshPartitions),
        0, 250, TimeUnit.MILLISECONDS);
  }

  private Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
    env.put("KIE_API_KEY", API_KEY);
    env.put("KIE_BASE_URL", sim.baseUrl());
    env.put("KIE_UPLOAD_BASE_URL", sim.baseUrl());
    // One URL for the whole group, like a Kubernetes Service: see CallbackBalancer.
    env.put("KIE_CALLBACK_BASE_URL", balancer.baseUrl());
    env.put("KIE_WEBHOOK_HMAC_KEY", HMAC_KEY);
    env.put("KIE_REQUEST_TIMEOUT", "4s");
    env.put("WORKER_CALLBACK_SECRET", CALLBACK_SECRET);
    env.put("WORKER_REQUEST_TOPIC", REQUESTS_TOPIC);
    env.put("WORKER_RESULT_TOPIC", RESULTS_TOPIC);
    env.put("WORKER_DLQ_TOPIC", "chaos.dlq");
    env.put("WORKER_LEDGER_TOPIC", "chaos.tasks");
    env.put("WORKER_DEMAND_TOPIC", "chaos.demand");
    env.put("WORKER_GROUP_ID", "chaos-workers");
    env.put("WORKER_POLL_MIN_GAP", "500ms");
    env.put("WORKER_EXPECTED_DURATION", "1500ms");
    env.put("WORKER_AMBIGUOUS_GRACE", "15s"); // a callback delayed by a loaded machine still arrives inside it
    env.put("WORKER_CREATE_RATE_LIMIT", "300");
    env.put("WORKER_CREATE_RATE_WINDOW", "10s");
    env.put("WORKER_COMMIT_INTERVAL", "500ms");
    env.put("WORKER_POLL_RATE", "100");
    env.put("WORKER_SHUTDOWN_TIMEOUT", "10s");
    env.put("LOG_FORMAT", "text");
    return env;
  }

  private WorkerProcess startWorker(String name, Map<String, String> extra) {
    Map<String, String> env = env();
    env.putAll(extra);
    WorkerProcess worker = WorkerProcess.start(name, env, config, logDir);
    workers.add(worker);
    return worker;
  }

  private List<WorkerProcess> liveWorkers() {
    return workers.stream().filter(WorkerProcess::alive).toList();
  }

  // ---- the disruptions ---------------------------------------------------------------------------

  private void killNow(String what, WorkerProcess worker) {
    worker.refreshPartitions();
    Set<Integer> owned = worker.lastPartitions();
    long at = worker.kill9();
    figures.disruptions.add(new ChaosFigures.Disruption(what, worker.name, at, owned));
  }

  /**
   * A worker started with KIE_WORKER_CRASH_AFTER_CREATES halts right after its 20th paid create,
   * before SUBMITTED reaches the ledger: the next owner finds SUBMITTING and must not pay again.
   */
  private void crashBetweenCreateAndLedgerWrite() {
    WorkerProcess w5 = startWorker("w5", Map.of("KIE_WORKER_CRASH_AFTER_CREATES", "20"));
    boolean halted = w5.awaitExit(Duration.ofSeconds(90));
    if (!halted) {
      figures.notes.add("w5 did not reach 20 creates within 90 s; killed with kill -9 instead");
      killNow("#2 kill -9 (crash hook did not fire)", w5);
      return;
    }
    if (w5.exitCode() != 137) {
      figures.notes.add("w5 exited with " + w5.exitCode() + ", not the crash hook's 137");
    }
    long exitedAt = w5.exitedAt() > 0 ? w5.exitedAt() : System.currentTimeMillis();
    figures.disruptions.add(new ChaosFigures.Disruption("#2 halt between a create and its ledger write",
        w5.name, exitedAt, w5.lastPartitions()));
  }

  private void restartBroker() {
    long stopAt = System.currentTimeMillis();
    kafka.restart();
    long upAt = System.currentTimeMillis();
    figures.notes.add(String.format("broker restart: down %.1f s (clean stop + start, same ports and data)",
        (upAt - stopAt) / 1000.0));
    figures.disruptions.add(new ChaosFigures.Disruption("broker restart (recovery counted from back up)", "-",
        upAt, Set.of()));
  }

  private void burstOf429() {
    ScriptedResponse[] burst = new ScriptedResponse[10];
    java.util.Arrays.fill(burst, ScriptedResponse.error(429));
    sim.script(SimEndpoint.CREATE_TASK, burst);
  }

  private void forge(WorkerProcess target, int batch) {
    CallbackForger forger = new CallbackForger(balancer, new CallbackToken(CALLBACK_SECRET), PARTITIONS);
    List<String> ids = feeder.ids.subList(batch * 20, batch * 20 + 20);
    forger.forge(target.port, ids);
    figures.forgedSent += forger.sent.get();
    figures.forgedAccepted += forger.accepted.get();
    figures.forgedUnreachable += forger.unreachable.get();
  }

  /** Scale down with SIGTERM: each stop commits offsets and leaves pending tasks to the ledger. */
  private void scaleDownTo(WorkerProcess keep, WorkerProcess... others) {
    for (WorkerProcess w : others) {
      if (w.alive() && !w.terminate(Duration.ofSeconds(30))) {
        figures.notes.add(w.name + " did not stop within 30 s of SIGTERM; killed");
      }
    }
    figures.notes.add("scaled down to 1 instance (" + keep.name + ") by SIGTERM of "
        + java.util.Arrays.stream(others).map(w -> w.name).toList());
  }

  /** Re-POSTs real callbacks (valid token and signature) after their tasks finished. */
  private void replayCallbacks(WorkerProcess target) {
    List<CallbackBalancer.Delivered> sample = balancer.delivered.stream().limit(100).toList();
    Set<String> ids = new HashSet<>();
    sample.forEach(d -> ids.add(d.requestId()));
    long before = watcher.countFor(ids);
    for (CallbackBalancer.Delivered d : sample) {
      HttpResponse<byte[]> response = balancer.post(target.port, d.pathAndQuery(), d.body(), d.headers());
      figures.replayed++;
      if (response != null && response.statusCode() == 200) {
        figures.replaysAnswered200++;
      }
    }
    try {
      await("no result caused by replayed callbacks").during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(8))
          .pollInterval(Duration.ofMillis(200)).until(() -> watcher.countFor(ids) == before);
    } catch (ConditionTimeoutException e) {
      // counted below
    }
    figures.resultsFromReplays = watcher.countFor(ids) - before;
  }

  // ---- waiting -----------------------------------------------------------------------------------

  private void awaitSent(int n) {
    await("request " + n + " handed to Kafka").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(50))
        .until(() -> feeder.sent() >= Math.min(n, REQUESTS));
  }

  private void awaitReady(WorkerProcess worker) {
    await(worker + " ready").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
        .until(() -> {
          assertThat(worker.alive()).as(worker + " exited early; see " + worker.log).isTrue();
          return worker.ready();
        });
  }

  private WorkerProcess awaitOwnsPartitions(WorkerProcess worker) {
    awaitReady(worker);
    await(worker + " owns request partitions").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
        .until(() -> {
          worker.refreshPartitions();
          return !worker.lastPartitions().isEmpty();
        });
    return worker;
  }

  private void awaitAllResults() {
    try {
      await("a result for every request").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
          .until(() -> watcher.distinctIds().containsAll(feeder.acked));
    } catch (ConditionTimeoutException e) {
      figures.notes.add("gave up waiting for the last results after 3 min");
    }
  }

  // ---- figures and targets -------------------------------------------------------------------------

  private void report() throws Exception {
    figures.requestsSent = feeder.acked.size();
    figures.sendRetries = feeder.resends.get();
    figures.count(feeder.ids, List.copyOf(watcher.results), sim.tasks().all());
    figures.readLogs(logDir);
    var c = sim.counters();
    figures.notes.add(String.format("simulator: %d create calls, %d injected 5xx, %d slowed, %d hung, %d answered 429;"
            + " callbacks %d sent, %d delivered, %d given up after retries, %d dropped on purpose",
        c.createRequests(), c.injected5xx(), c.slowed(), c.hangs(), c.rejections(429),
        c.callbacksSent(), c.callbacksSucceeded(), c.callbacksFailed(), c.callbacksDropped()));
    figures.notes.add(String.format("callback forwarder: %d forwarded, %d answered 503 (no instance reachable)",
        balancer.forwarded.get(), balancer.unavailable.get()));
    for (ChaosFigures.Disruption d : figures.disruptions) {
      figures.recoveryMs.put(d, recovery(d));
    }
    String table = figures.table();
    System.out.println(table);
    Files.writeString(logDir.resolve("figures.txt"), table);
  }

  /**
   * Time from the disruption until each partition it hit had a result again (the slowest one);
   * for the broker, until the first result after it was back. -1 = never.
   */
  private long recovery(ChaosFigures.Disruption d) {
    if (d.partitions().isEmpty()) {
      OptionalLong first = watcher.firstAfter(d.at());
      return first.isPresent() ? first.getAsLong() - d.at() : -1;
    }
    long slowest = 0;
    for (int p : d.partitions()) {
      OptionalLong first = watcher.firstOnPartitionAfter(p, d.at());
      if (first.isEmpty()) {
        return -1;
      }
      slowest = Math.max(slowest, first.getAsLong() - d.at());
    }
    return slowest;
  }

  private void assertTargets() {
    String see = " (figures above; worker logs in " + logDir + ")";
    assertThat(figures.requestsSent).as("requests acknowledged by Kafka" + see).isEqualTo(REQUESTS);
    assertThat(figures.missing).as("requests without a terminal result" + see).isEmpty();
    assertThat(figures.forgedAccepted).as("forged callbacks answered 200" + see).isZero();
    assertThat(figures.paidTwiceWithCallbacks).as("requests paid twice although callbacks were on" + see).isEmpty();
    assertThat(figures.inconsistentDuplicates).as("duplicate results that disagree" + see).isZero();
    assertThat(figures.duplicateShare()).as("duplicate results per request sent, at most 1 %" + see)
        .isLessThanOrEqualTo(0.01);
    assertThat(figures.wrongCeId).as("results whose ce_id is not the request id" + see).isZero();
    assertThat(figures.resultsFromReplays).as("results caused by replayed callbacks" + see).isZero();
    assertThat(figures.recoveryMs.values()).as("a disruption after which a partition never produced again" + see)
        .doesNotContain(-1L);
  }

  // ---- tear-down ---------------------------------------------------------------------------------

  @AfterEach
  void tearDown() {
    healthPoller.shutdownNow();
    killAll();
    for (int i = closeables.size() - 1; i >= 0; i--) {
      try {
        closeables.get(i).close();
      } catch (Exception e) {
        // keep closing the rest
      }
    }
    if (sim != null) {
      sim.close();
    }
    simVertx.close(); // not awaited: see WorkerApp.stop()
    try {
      Runtime.getRuntime().removeShutdownHook(killAllOnExit);
    } catch (IllegalStateException e) {
      // already shutting down
    }
  }

  private void killAll() {
    workers.stream().filter(WorkerProcess::alive).forEach(WorkerProcess::kill9);
  }
}
