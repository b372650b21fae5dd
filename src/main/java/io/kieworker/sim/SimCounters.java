package io.kieworker.sim;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the simulator has seen and done. Written on the event loop, readable from any thread
 * (each value is a {@link LongAdder}); {@link #toJson()} is the {@code /sim/stats} view.
 */
public final class SimCounters {
  final LongAdder createRequests = new LongAdder();
  final LongAdder legacyCreateRequests = new LongAdder();
  final LongAdder recordInfoPolls = new LongAdder();
  final LongAdder legacyRecordInfoPolls = new LongAdder();
  final LongAdder rateLimited = new LongAdder();
  final LongAdder maintenance = new LongAdder();
  final LongAdder injected5xx = new LongAdder();
  final LongAdder hangs = new LongAdder();
  final LongAdder slowed = new LongAdder();
  final LongAdder scripted = new LongAdder();
  final LongAdder callbacksSent = new LongAdder();
  final LongAdder callbacksSucceeded = new LongAdder();
  final LongAdder callbacksFailed = new LongAdder();
  final LongAdder callbacksDropped = new LongAdder();
  final LongAdder callbackAttempts = new LongAdder();
  final LongAdder creditChecks = new LongAdder();
  final LongAdder downloadUrls = new LongAdder();
  final LongAdder uploadOverwrites = new LongAdder();
  private final java.util.concurrent.atomic.AtomicLong uploadsInFlight = new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.AtomicLong uploadBytesInFlight = new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.AtomicLong peakUploadsInFlight = new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.AtomicLong peakUploadBytesInFlight = new java.util.concurrent.atomic.AtomicLong();
  final LongAdder resultDownloads = new LongAdder();
  private final ConcurrentHashMap<String, LongAdder> createsAccepted = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Integer, LongAdder> rejections = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, LongAdder> uploads = new ConcurrentHashMap<>();

  void accepted(String model) { createsAccepted.computeIfAbsent(model, k -> new LongAdder()).increment(); }
  void rejected(int code) { rejections.computeIfAbsent(code, k -> new LongAdder()).increment(); }
  void uploaded(String kind) { uploads.computeIfAbsent(kind, k -> new LongAdder()).increment(); }

  /** An upload request arrived (before its body is read), announcing {@code bytes} of body. */
  void uploadStarted(long bytes) {
    peakUploadsInFlight.accumulateAndGet(uploadsInFlight.incrementAndGet(), Math::max);
    peakUploadBytesInFlight.accumulateAndGet(uploadBytesInFlight.addAndGet(bytes), Math::max);
  }

  /** Its answer was written, or the connection closed. */
  void uploadEnded(long bytes) {
    uploadsInFlight.decrementAndGet();
    uploadBytesInFlight.addAndGet(-bytes);
  }

  public long createRequests() { return createRequests.sum(); }
  public long legacyCreateRequests() { return legacyCreateRequests.sum(); }
  public long createsAccepted() { return createsAccepted.values().stream().mapToLong(LongAdder::sum).sum(); }
  public long createsAccepted(String model) { return sum(createsAccepted.get(model)); }
  /** Error answers by body code (401, 402, 422, 429, 455, 500, ...), all endpoints. */
  public long rejections(int code) { return sum(rejections.get(code)); }
  public long recordInfoPolls() { return recordInfoPolls.sum(); }
  public long legacyRecordInfoPolls() { return legacyRecordInfoPolls.sum(); }
  public long rateLimited() { return rateLimited.sum(); }
  public long maintenance() { return maintenance.sum(); }
  public long injected5xx() { return injected5xx.sum(); }
  public long hangs() { return hangs.sum(); }
  public long slowed() { return slowed.sum(); }
  public long scripted() { return scripted.sum(); }
  public long callbacksSent() { return callbacksSent.sum(); }
  public long callbacksSucceeded() { return callbacksSucceeded.sum(); }
  public long callbacksFailed() { return callbacksFailed.sum(); }
  public long callbacksDropped() { return callbacksDropped.sum(); }
  public long callbackAttempts() { return callbackAttempts.sum(); }
  /** Uploads by kind: {@code base64}, {@code stream}, {@code url}. */
  public long uploads(String kind) { return sum(uploads.get(kind)); }
  public long creditChecks() { return creditChecks.sum(); }
  public long downloadUrls() { return downloadUrls.sum(); }
  /** Uploads that replaced a stored file of the same path with different content. */
  public long uploadOverwrites() { return uploadOverwrites.sum(); }
  /** Upload requests received and not yet answered, from their first byte. */
  public long uploadsInFlight() { return uploadsInFlight.get(); }
  /** The most upload requests under way at once. */
  public long peakUploadsInFlight() { return peakUploadsInFlight.get(); }
  /** The most upload body bytes (Content-Length) under way at once. */
  public long peakUploadBytesInFlight() { return peakUploadBytesInFlight.get(); }
  /** Result images served at {@code /results/...}. */
  public long resultDownloads() { return resultDownloads.sum(); }

  void reset() {
    for (LongAdder a : new LongAdder[] {createRequests, legacyCreateRequests, recordInfoPolls,
        legacyRecordInfoPolls, rateLimited, maintenance, injected5xx, hangs, slowed, scripted,
        callbacksSent, callbacksSucceeded, callbacksFailed, callbacksDropped, callbackAttempts,
        creditChecks, downloadUrls, uploadOverwrites, resultDownloads}) {
      a.reset();
    }
    peakUploadsInFlight.set(uploadsInFlight.get());
    peakUploadBytesInFlight.set(uploadBytesInFlight.get());
    createsAccepted.clear();
    rejections.clear();
    uploads.clear();
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("createRequests", createRequests())
        .put("legacyCreateRequests", legacyCreateRequests())
        .put("createsAccepted", createsAccepted())
        .put("createsAcceptedByModel", asJson(createsAccepted))
        .put("rejectionsByCode", asJson(rejections))
        .put("recordInfoPolls", new JsonObject()
            .put("market", recordInfoPolls()).put("legacy", legacyRecordInfoPolls()))
        .put("rateLimited429", rateLimited())
        .put("maintenance455", maintenance())
        .put("injected5xx", injected5xx())
        .put("hangs", hangs())
        .put("slowed", slowed())
        .put("scriptedResponses", scripted())
        .put("callbacks", new JsonObject()
            .put("sent", callbacksSent())
            .put("succeeded", callbacksSucceeded())
            .put("failed", callbacksFailed())
            .put("dropped", callbacksDropped())
            .put("attempts", callbackAttempts()))
        .put("uploadsByKind", asJson(uploads))
        .put("uploadOverwrites", uploadOverwrites())
        .put("peakUploadsInFlight", peakUploadsInFlight())
        .put("peakUploadBytesInFlight", peakUploadBytesInFlight())
        .put("creditChecks", creditChecks())
        .put("downloadUrls", downloadUrls())
        .put("resultDownloads", resultDownloads());
  }

  private static JsonObject asJson(Map<?, LongAdder> m) {
    TreeMap<String, Object> sorted = new TreeMap<>();
    m.forEach((k, v) -> sorted.put(String.valueOf(k), v.sum()));
    return new JsonObject(new java.util.LinkedHashMap<>(sorted));
  }

  private static long sum(LongAdder a) {
    return a == null ? 0 : a.sum();
  }
}
