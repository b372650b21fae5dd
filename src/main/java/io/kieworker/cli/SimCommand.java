package io.kieworker.cli;

import io.kieworker.sim.KieSimulator;
import io.kieworker.sim.SimDurations;
import io.kieworker.sim.SimOptions;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kie-worker sim}: runs the Kie.ai simulator until SIGTERM / Ctrl-C. */
@Command(name = "sim", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Runs a local Kie.ai simulator (Market + legacy APIs, uploads, credits, callbacks, faults). "
        + "Every option also reads an environment variable SIM_*; see docs/simulator.md.")
public final class SimCommand implements Callable<Integer> {

  @Option(names = "--host", defaultValue = "${env:SIM_HOST:-127.0.0.1}",
      description = "Address to bind (env SIM_HOST, default ${DEFAULT-VALUE}).")
  String host;

  @Option(names = "--port", defaultValue = "${env:SIM_PORT:-8090}",
      description = "Port; 0 picks a free one (env SIM_PORT, default ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--api-key", split = ",", defaultValue = "${env:SIM_API_KEY}",
      description = "Accepted Bearer key; repeatable or comma-separated (env SIM_API_KEY). Required.")
  List<String> apiKeys = new ArrayList<>();

  @Option(names = "--http-status-errors", defaultValue = "${env:SIM_HTTP_STATUS_ERRORS:-false}",
      description = "Mirror the body code into the HTTP status (env SIM_HTTP_STATUS_ERRORS, default ${DEFAULT-VALUE}).")
  boolean httpStatusErrors;

  @Option(names = "--legacy-wrapped", defaultValue = "${env:SIM_LEGACY_WRAPPED:-false}",
      description = "Legacy record-info answers {code,msg,data:{...}} instead of the flat record "
          + "(env SIM_LEGACY_WRAPPED, default ${DEFAULT-VALUE}).")
  boolean legacyWrapped;

  @Option(names = "--rate-limit", defaultValue = "${env:SIM_RATE_LIMIT:-20/10s}",
      description = "Creates per key per sliding window, N/duration; 0 = off (env SIM_RATE_LIMIT, default ${DEFAULT-VALUE}).")
  String rateLimit;

  @Option(names = "--latency", split = ",", defaultValue = "${env:SIM_LATENCY}",
      description = "Per-model latency range model=min..max, repeatable; * = every model "
          + "(env SIM_LATENCY, comma-separated; default *=2s..5s).")
  List<String> latencies = new ArrayList<>();

  @Option(names = "--seed", defaultValue = "${env:SIM_SEED}",
      description = "Seed for latencies and fault rolls (env SIM_SEED; default: random).")
  Long seed;

  @Option(names = "--credits", defaultValue = "${env:SIM_CREDITS:-100000}",
      description = "Starting credit balance (env SIM_CREDITS, default ${DEFAULT-VALUE}).")
  double credits;

  @Option(names = "--file-base-url", defaultValue = "${env:SIM_FILE_BASE_URL:-https://tempfile.kie-sim.invalid}",
      description = "Base of fabricated upload downloadUrls (env SIM_FILE_BASE_URL, default ${DEFAULT-VALUE}).")
  String fileBaseUrl;

  @Option(names = "--result-base-url", defaultValue = "${env:SIM_RESULT_BASE_URL}",
      description = "Base of result image URLs (env SIM_RESULT_BASE_URL; default: this simulator's own /results, which serves real PNG/JPEG/WebP bytes).")
  String resultBaseUrl;

  @Option(names = "--webhook-hmac-key", defaultValue = "${env:SIM_WEBHOOK_HMAC_KEY}",
      description = "Sign callbacks (X-Webhook-Timestamp/X-Webhook-Signature) with this key (env SIM_WEBHOOK_HMAC_KEY; default: unsigned).")
  String webhookHmacKey;

  @Option(names = "--callback-attempts", defaultValue = "${env:SIM_CALLBACK_ATTEMPTS:-3}",
      description = "Deliveries per callback until a 2xx (env SIM_CALLBACK_ATTEMPTS, default ${DEFAULT-VALUE}).")
  int callbackAttempts;

  @Option(names = "--callback-retry-delay", defaultValue = "${env:SIM_CALLBACK_RETRY_DELAY:-1s}",
      description = "Delay between callback deliveries (env SIM_CALLBACK_RETRY_DELAY, default ${DEFAULT-VALUE}).")
  String callbackRetryDelay;

  @Option(names = "--callback-timeout", defaultValue = "${env:SIM_CALLBACK_TIMEOUT:-15s}",
      description = "Timeout of one callback delivery (env SIM_CALLBACK_TIMEOUT, default ${DEFAULT-VALUE}).")
  String callbackTimeout;

  @Option(names = "--fault-5xx-ratio", defaultValue = "${env:SIM_FAULT_5XX_RATIO:-0}",
      description = "Share of API calls answered 500/502/503 (env SIM_FAULT_5XX_RATIO, default ${DEFAULT-VALUE}).")
  double fault5xxRatio;

  @Option(names = "--fault-fail-ratio", defaultValue = "${env:SIM_FAULT_FAIL_RATIO:-0}",
      description = "Share of tasks ending in state=fail (env SIM_FAULT_FAIL_RATIO, default ${DEFAULT-VALUE}).")
  double faultFailRatio;

  @Option(names = "--fault-fail-code", defaultValue = "${env:SIM_FAULT_FAIL_CODE:-500}",
      description = "failCode of those tasks (env SIM_FAULT_FAIL_CODE, default ${DEFAULT-VALUE}).")
  String faultFailCode;

  @Option(names = "--fault-slow-ratio", defaultValue = "${env:SIM_FAULT_SLOW_RATIO:-0}",
      description = "Share of API calls answered late (env SIM_FAULT_SLOW_RATIO, default ${DEFAULT-VALUE}).")
  double faultSlowRatio;

  @Option(names = "--fault-slow", defaultValue = "${env:SIM_FAULT_SLOW:-2s}",
      description = "How late (env SIM_FAULT_SLOW, default ${DEFAULT-VALUE}).")
  String faultSlow;

  @Option(names = "--fault-hang-ratio", defaultValue = "${env:SIM_FAULT_HANG_RATIO:-0}",
      description = "Share of API calls never answered; createTask hangs after creating the task "
          + "(env SIM_FAULT_HANG_RATIO, default ${DEFAULT-VALUE}).")
  double faultHangRatio;

  @Option(names = "--fault-drop-callback-ratio", defaultValue = "${env:SIM_FAULT_DROP_CALLBACK_RATIO:-0}",
      description = "Share of callbacks never sent (env SIM_FAULT_DROP_CALLBACK_RATIO, default ${DEFAULT-VALUE}).")
  double faultDropCallbackRatio;

  @Option(names = "--maintenance-every", defaultValue = "${env:SIM_MAINTENANCE_EVERY:-0s}",
      description = "Start a maintenance window (455) at every multiple of this; 0 = never "
          + "(env SIM_MAINTENANCE_EVERY, default ${DEFAULT-VALUE}).")
  String maintenanceEvery;

  @Option(names = "--maintenance-for", defaultValue = "${env:SIM_MAINTENANCE_FOR:-0s}",
      description = "Length of each maintenance window (env SIM_MAINTENANCE_FOR, default ${DEFAULT-VALUE}).")
  String maintenanceFor;

  @Override
  public Integer call() throws Exception {
    SimOptions options = toOptions();
    if (options.apiKeys().isEmpty()) {
      System.err.println("sim: at least one --api-key (or SIM_API_KEY) is required");
      return 2;
    }
    Vertx vertx = Vertx.vertx();
    KieSimulator sim;
    try {
      sim = KieSimulator.start(vertx, options).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      System.err.println("sim: could not start: " + e.getMessage());
      vertx.close();
      return 1;
    }
    System.out.println("Kie.ai simulator listening on " + sim.baseUrl() + " (admin: " + sim.baseUrl() + "/sim/stats)");
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        sim.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
      } catch (Exception e) {
        System.err.println("sim: unclean shutdown: " + e.getMessage());
      } finally {
        stopped.countDown();
      }
    }, "sim-shutdown"));
    stopped.await();
    return 0;
  }

  SimOptions toOptions() {
    SimOptions o = new SimOptions()
        .host(host).port(port)
        .httpStatusErrors(httpStatusErrors).legacyWrapped(legacyWrapped)
        .seed(seed).credits(credits)
        .fileBaseUrl(fileBaseUrl).resultBaseUrl(resultBaseUrl)
        .webhookHmacKey(webhookHmacKey)
        .callbackAttempts(callbackAttempts)
        .callbackRetryDelay(SimDurations.parse(callbackRetryDelay))
        .callbackTimeout(SimDurations.parse(callbackTimeout));
    if (apiKeys != null) {
      apiKeys.stream().map(String::trim).filter(k -> !k.isEmpty()).forEach(o::apiKey);
    }
    if (latencies != null) {
      latencies.stream().map(String::trim).filter(l -> !l.isEmpty()).forEach(o::latency);
    }
    applyRateLimit(o, rateLimit);
    o.faults()
        .fault5xxRatio(fault5xxRatio)
        .failRatio(faultFailRatio)
        .failCode(faultFailCode)
        .slowRatio(faultSlowRatio)
        .slow(SimDurations.parse(faultSlow))
        .hangRatio(faultHangRatio)
        .dropCallbackRatio(faultDropCallbackRatio)
        .maintenanceWindows(SimDurations.parse(maintenanceEvery), SimDurations.parse(maintenanceFor));
    return o;
  }

  private static void applyRateLimit(SimOptions o, String spec) {
    String s = spec.trim();
    if (s.equals("0")) {
      o.rateLimit(0, Duration.ofSeconds(10));
      return;
    }
    int slash = s.indexOf('/');
    if (slash <= 0) {
      throw new IllegalArgumentException("--rate-limit must look like 20/10s or 0: " + spec);
    }
    o.rateLimit(Integer.parseInt(s.substring(0, slash).trim()), SimDurations.parse(s.substring(slash + 1)));
  }
}
