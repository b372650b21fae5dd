package io.kieworker.tools.demo;

import io.kieworker.tools.demo.DemoRequest.Expected;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the demo sent and what came back on the results topic: one {@link Arrival} per request id,
 * duplicates and results for ids it never sent counted apart. Confined to the demo's main thread.
 */
public final class DemoTally {

  /**
   * A request as it went out: {@code requestId} is the id its result must carry; {@code sentAtMillis}
   * is wall-clock time, comparable with the worker's {@code timings}.
   */
  public record Sent(DemoRequest request, String requestId, long sentAtNanos, long sentAtMillis) {}

  /** The first result seen for a request; {@code submittedAt} = its create started (null: none did). */
  public record Arrival(Sent sent, String status, String model, int attempts, String errorCode,
                        Double credits, long latencyMillis, String stored, Instant submittedAt) {
    public boolean asScripted() {
      return status.equals(sent.request().expected().name());
    }

    /** Produced → create started, in ms; -1 when no create started (rejected). */
    public long queueWaitMillis() {
      return submittedAt == null ? -1 : Math.max(0, submittedAt.toEpochMilli() - sent.sentAtMillis());
    }
  }

  private final Map<String, Sent> sent = new LinkedHashMap<>();
  private final Map<String, Arrival> arrived = new LinkedHashMap<>();
  private final List<String> unknown = new ArrayList<>();
  private int duplicates;

  void sent(DemoRequest request, String requestId, long sentAtNanos, long sentAtMillis) {
    sent.put(requestId, new Sent(request, requestId, sentAtNanos, sentAtMillis));
  }

  /** Records one result value; returns the new arrival, or empty for a duplicate or an unknown id. */
  Optional<Arrival> received(byte[] value, long receivedAtNanos) {
    JsonObject result = new JsonObject(new String(value, StandardCharsets.UTF_8));
    String id = result.getString("requestId");
    Sent request = sent.get(id);
    if (request == null) {
      unknown.add(id);
      return Optional.empty();
    }
    if (arrived.containsKey(id)) {
      duplicates++;
      return Optional.empty();
    }
    JsonObject error = result.getJsonObject("error");
    Number credits = result.getNumber("creditsConsumed");
    Arrival arrival = new Arrival(request, result.getString("status", "?"),
        Optional.ofNullable(result.getString("model")).orElse(request.request().model()),
        result.getInteger("attempts", 0),
        error == null ? null : error.getString("code"), credits == null ? null : credits.doubleValue(),
        (receivedAtNanos - request.sentAtNanos()) / 1_000_000, stored(result), submittedAt(result));
    arrived.put(id, arrival);
    return Optional.of(arrival);
  }

  private static Instant submittedAt(JsonObject result) {
    JsonObject timings = result.getJsonObject("timings");
    String at = timings == null ? null : timings.getString("submittedAt");
    return at == null ? null : Instant.parse(at);
  }

  /** The first stored URL, "storeError CODE", or null when the result has neither (store off, not SUCCEEDED). */
  private static String stored(io.vertx.core.json.JsonObject result) {
    var urls = result.getValue("storedUrls") instanceof io.vertx.core.json.JsonArray a ? a : null;
    if (urls != null && !urls.isEmpty()) {
      return String.valueOf(urls.getValue(0)) + (urls.size() > 1 ? " (+" + (urls.size() - 1) + ")" : "");
    }
    var error = result.getValue("storeError") instanceof io.vertx.core.json.JsonObject e ? e : null;
    return error == null ? null : "storeError " + error.getString("code");
  }

  public boolean complete() {
    return arrived.size() == sent.size();
  }

  public Collection<Sent> sent() {
    return sent.values();
  }

  public Collection<Arrival> arrivals() {
    return arrived.values();
  }

  public List<Sent> missing() {
    return sent.values().stream().filter(s -> !arrived.containsKey(s.requestId())).toList();
  }

  public int duplicates() {
    return duplicates;
  }

  public List<String> unknownIds() {
    return List.copyOf(unknown);
  }

  public List<Arrival> notAsScripted() {
    return arrived.values().stream().filter(a -> !a.asScripted()).toList();
  }

  public long validRequests() {
    return sent.values().stream().filter(s -> s.request().valid()).count();
  }

  public long count(String status) {
    return arrived.values().stream().filter(a -> a.status().equals(status)).count();
  }

  public long scripted(Expected expected) {
    return sent.values().stream().filter(s -> s.request().expected() == expected).count();
  }

  /** Exactly one result per request, each in the status it was scripted to end in. */
  public boolean ok() {
    return complete() && duplicates == 0 && unknown.isEmpty() && notAsScripted().isEmpty();
  }
}
