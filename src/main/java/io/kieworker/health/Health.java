package io.kieworker.health;

import io.kieworker.kafka.ProduceRefusal;
import io.vertx.core.json.JsonObject;
import java.util.Set;
import java.util.TreeSet;

/**
 * What /health/ready reports. Written on the worker's event loop, read by the HTTP server (possibly
 * another thread): fields are volatile and each is a whole value.
 */
public final class Health {
  private volatile boolean consumerStarted;
  private volatile boolean joined;
  private volatile Set<Integer> assigned = Set.of();
  private volatile Boolean keyAccepted;
  private volatile Set<String> pausedFor = Set.of();
  private volatile boolean stopping;
  private volatile long producerFailedAt;

  public void consumerStarted() {
    consumerStarted = true;
  }

  public void assigned(Set<Integer> partitions) {
    joined = true;
    assigned = Set.copyOf(new TreeSet<>(partitions));
  }

  public void keyAccepted(boolean accepted) {
    keyAccepted = accepted;
  }

  public void paused(Set<String> reasons) {
    pausedFor = Set.copyOf(reasons);
  }

  public void stopping() {
    stopping = true;
  }

  /**
   * A send failed. A record Kafka refuses for good (too large, not authorized for one topic, …) is
   * that record's problem, handled where it was written: it does not make the instance unready for
   * every other request. Anything else (broker unreachable, timeouts) does, for 30 s.
   */
  public void producerFailed(Throwable cause) {
    if (!ProduceRefusal.refused(cause)) {
      producerFailedAt = System.currentTimeMillis();
    }
  }

  /** Null when ready, else why not. */
  public String notReadyReason() {
    if (stopping) {
      return "shutting down";
    }
    if (!consumerStarted) {
      return "starting: Kafka topics or Kie.ai key not checked yet";
    }
    if (Boolean.FALSE.equals(keyAccepted) || pausedFor.contains("auth")) {
      return "Kie.ai refused the API key (401); consumption stopped";
    }
    if (!joined) {
      return "waiting for a partition assignment from the consumer group";
    }
    if (System.currentTimeMillis() - producerFailedAt < 30_000) {
      return "the Kafka producer failed within the last 30 s";
    }
    return null;
  }

  public JsonObject toJson() {
    String reason = notReadyReason();
    return new JsonObject()
        .put("status", reason == null ? "UP" : "DOWN")
        .put("reason", reason)
        .put("partitions", new io.vertx.core.json.JsonArray(new java.util.ArrayList<>(assigned)))
        .put("pausedFor", new io.vertx.core.json.JsonArray(new java.util.ArrayList<>(new TreeSet<>(pausedFor))))
        .put("kieKeyAccepted", keyAccepted);
  }
}
