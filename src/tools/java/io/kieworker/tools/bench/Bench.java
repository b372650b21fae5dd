package io.kieworker.tools.bench;

import io.kieworker.net.FreePorts;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/** Plumbing shared by the scenarios. Everything here blocks: call it from the bench's main thread. */
final class Bench {
  static final String API_KEY = "bench-key-0123456789abcdef";
  /** Signs the simulator's callbacks; token trust needs it (see WORKER_CALLBACK_TRUST). */
  static final String WEBHOOK_HMAC_KEY = "bench-webhook-hmac-key";
  static final String MODEL = "google/nano-banana";
  static final Duration START_TIMEOUT = Duration.ofSeconds(90);

  private Bench() {}

  static <T> T await(Future<T> future, Duration timeout, String what) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException(what + " failed: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException(what + " did not finish within " + timeout, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while " + what, e);
    }
  }

  /**
   * Waits until {@code condition} holds, checking every {@code step}; false at the deadline. The bench
   * watches other threads' progress (Kafka consumers, a child JVM), so a bounded check loop is simplest.
   */
  static boolean waitUntil(BooleanSupplier condition, Duration timeout, Duration step) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      try {
        TimeUnit.MILLISECONDS.sleep(step.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return true;
  }

  static void require(boolean ok, String what) {
    if (!ok) {
      throw new IllegalStateException(what);
    }
  }

  /** A valid request for {@link #MODEL}; {@code directives} go into the prompt (e.g. [sim:latency=1h]). */
  static byte[] request(String requestId, String directives) {
    return new JsonObject().put("requestId", requestId).put("model", MODEL)
        .put("input", new JsonObject().put("prompt", "a benchmark banana " + directives))
        .encode().getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  /** Worker settings for a bench run against an in-process simulator; {@code overrides} win. */
  static Map<String, String> workerEnv(String bootstrap, BenchTopics topics, String simUrl,
      Map<String, String> overrides) {
    Map<String, String> env = new HashMap<>();
    env.put("KAFKA_BOOTSTRAP_SERVERS", bootstrap);
    env.put("KIE_API_KEY", API_KEY);
    env.put("KIE_BASE_URL", simUrl);
    env.put("KIE_UPLOAD_BASE_URL", simUrl);
    env.put("WORKER_REQUEST_TOPIC", topics.requests());
    env.put("WORKER_RESULT_TOPIC", topics.results());
    env.put("WORKER_DLQ_TOPIC", topics.dlq());
    env.put("WORKER_LEDGER_TOPIC", topics.ledger());
    env.put("WORKER_DEMAND_TOPIC", topics.demand());
    env.put("WORKER_GROUP_ID", topics.group());
    env.put("HTTP_HOST", "127.0.0.1");
    env.put("HTTP_PORT", "0");
    env.put("WORKER_COMMIT_INTERVAL", "500ms");
    env.put("WORKER_SHUTDOWN_TIMEOUT", "10s");
    env.putAll(overrides);
    env.putAll(tuningFromEnvironment());
    return env;
  }

  /** WORKER_* variables of the bench's own environment (not topics or group) win over the scenario's. */
  static Map<String, String> tuningFromEnvironment() {
    Map<String, String> tuning = new HashMap<>();
    System.getenv().forEach((k, v) -> {
      if (k.startsWith("WORKER_") && !k.endsWith("_TOPIC") && !k.equals("WORKER_GROUP_ID")
          && !k.equals("WORKER_GROUP_INSTANCE_ID")) {
        tuning.put(k, v);
      }
    });
    return tuning;
  }

  /** Env overrides that turn callbacks on, to a port chosen now (the worker binds it). */
  static Map<String, String> callbacks(String trust) {
    int port = FreePorts.pick();
    Map<String, String> env = new HashMap<>(Map.of("HTTP_PORT", Integer.toString(port),
        "KIE_CALLBACK_BASE_URL", "http://127.0.0.1:" + port, "WORKER_CALLBACK_TRUST", trust));
    if (trust.equals("token")) {
      env.put("KIE_WEBHOOK_HMAC_KEY", WEBHOOK_HMAC_KEY); // the simulator must sign: see PollingBench
    }
    return env;
  }

  static String millis(Duration d) {
    return d.toMillis() + "ms";
  }

  static double round(double value, int decimals) {
    double f = Math.pow(10, decimals);
    return Math.round(value * f) / f;
  }
}
