package io.kieworker.worker;

import io.kieworker.kie.DataUri;
import io.kieworker.kie.ErrorClass;
import io.kieworker.kie.KieClient;
import io.kieworker.kie.KieError;
import io.kieworker.kie.KieResult;
import io.kieworker.kie.UploadedFile;
import io.kieworker.metrics.WorkerMetrics;
import io.kieworker.model.ModelRegistry;
import io.kieworker.model.ModelSpec;
import io.kieworker.request.Endpoint;
import io.kieworker.retry.Backoff;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replaces each {@code data:} image of a request's image field by the URL of an uploaded file,
 * before the request may take a create slot.
 *
 * <p>Bounded: at most {@code maxInflightUploads} uploads and {@code maxUploadBytesInflight} bytes of
 * upload bodies at once (an image larger than that goes alone); the rest wait in arrival order and
 * are never dropped. Each failure class gets what the create path gives it: 429 waits (Retry-After,
 * capped) and stops every upload meanwhile; 5xx, timeouts and connection errors back off and retry
 * for {@link #RETRY_FOR_MS}; 401 and 402 hand the pause to the {@link Listener} (the submitter's
 * key and credit checks) and the image waits at the head of the queue; anything else fails the
 * request at once.
 *
 * <p>The images waiting hold their requests' text in memory too: while they need more than
 * {@code maxUploadBytesInflight} of upload bodies the request partitions are paused ("uploads"),
 * and resumed once they need half of it, so a burst of large inline images cannot pile up.
 *
 * <p>Event-loop confined (the worker's context); hashing and body building run on worker threads.
 */
final class InlineImageUploader {
  private static final Logger LOG = LoggerFactory.getLogger(InlineImageUploader.class);
  /** How long one image keeps being retried after transient failures before its request FAILS. */
  static final long RETRY_FOR_MS = 120_000;
  /** The longest a 429's Retry-After holds uploads back; a bigger one is Kie.ai's mistake. */
  static final long RETRY_AFTER_CAP_MS = 60_000;
  private static final long BACKOFF_BASE_MS = 500;
  private static final long BACKOFF_CAP_MS = 15_000;

  /** What becomes of a request once its images are handled. */
  interface Listener {
    /** Every inline image of the task is now a URL (or it had none). */
    void uploaded(PendingTask task);

    /** An image could not be uploaded: the request ends FAILED with this code and message. */
    void failed(PendingTask task, String code, String message, boolean retryable);

    /**
     * Kie.ai refused the key ({@link ErrorClass#AUTH}), has no credits ({@link ErrorClass#CREDITS}) or
     * the sub-key's usage limit is reached ({@link ErrorClass#QUOTA}).
     */
    void refused(ErrorClass why);
  }

  private final TaskOwnership ownership;
  private final IntakeGate gate;
  private final Vertx vertx;
  private final KieClient kie;
  private final ModelRegistry registry;
  private final int maxInflight;
  private final long maxBytesInflight;
  private final BooleanSupplier blocked;
  private final Listener listener;
  private final ArrayDeque<Image> queue = new ArrayDeque<>();
  private int inFlight;
  private long bytesInFlight;
  private long queuedBytes;
  /** No upload starts before this time (a 429's wait). */
  private long pausedUntil;
  private long pauseTimer = -1;
  private boolean stopped;

  /**
   * @param blocked true while creates are blocked (refused key, no credits): uploads wait too
   */
  InlineImageUploader(TaskOwnership ownership, IntakeGate gate, Vertx vertx, KieClient kie, ModelRegistry registry, WorkerMetrics metrics,
      int maxInflight, long maxBytesInflight, BooleanSupplier blocked, Listener listener) {
    this.ownership = ownership;
    this.gate = gate;
    this.vertx = vertx;
    this.kie = kie;
    this.registry = registry;
    this.maxInflight = maxInflight;
    this.maxBytesInflight = maxBytesInflight;
    this.blocked = blocked;
    this.listener = listener;
    metrics.gauge("kie_worker.uploads.inflight", "Inline-image uploads under way", () -> inFlight);
    metrics.gauge("kie_worker.uploads.inflight.bytes", "Bytes of inline-image upload bodies under way",
        () -> bytesInFlight);
    metrics.gauge("kie_worker.uploads.queued", "Inline images waiting for an upload slot", () -> queue.size());
    metrics.gauge("kie_worker.uploads.queued.bytes", "Bytes of upload bodies the waiting images will need",
        () -> queuedBytes);
  }

  /** Uploads the task's inline images, then tells the listener; at once when it has none. */
  void submit(PendingTask task) {
    JsonArray images = imageField(task);
    List<Image> found = new ArrayList<>();
    Batch batch = new Batch(task);
    for (int i = 0; images != null && i < images.size(); i++) {
      if (images.getValue(i) instanceof String s && DataUri.looksLikeDataUri(s)) {
        DataUri uri;
        try {
          uri = DataUri.parse(s);
        } catch (IllegalArgumentException e) {
          // Validation checks the same rules; this is the last line, before anything is sent.
          listener.failed(task, "UPLOAD_FAILED", "inline image " + i + " is not a valid data URI: "
              + e.getMessage(), false);
          return;
        }
        found.add(new Image(batch, images, i, uri, KieClient.uploadBodyBytes(uri)));
      }
    }
    if (found.isEmpty()) {
      listener.uploaded(task);
      return;
    }
    batch.remaining = found.size();
    for (Image image : found) {
      queue.addLast(image);
      queuedBytes += image.bytes;
    }
    updatePause();
    pump();
  }

  /** Drops the task's waiting images (its partition went away, or it finished elsewhere). */
  void forget(PendingTask task) {
    queue.removeIf(image -> {
      if (image.batch.task == task) {
        queuedBytes -= image.bytes;
        return true;
      }
      return false;
    });
    updatePause();
  }

  /** Shutdown: nothing starts any more, and uploads that finish hand nothing on. */
  void stop() {
    stopped = true;
    queue.clear();
    queuedBytes = 0;
  }

  int inFlight() {
    return inFlight;
  }

  long bytesInFlight() {
    return bytesInFlight;
  }

  /** Starts queued uploads, in order, while the bounds allow. */
  void pump() {
    long now = System.currentTimeMillis();
    if (now < pausedUntil) {
      schedulePump(pausedUntil - now);
      return;
    }
    while (!stopped && !blocked.getAsBoolean() && !queue.isEmpty()) {
      Image next = queue.peekFirst();
      if (!live(next.batch)) {
        dequeue();
        continue;
      }
      boolean fits = inFlight == 0 || bytesInFlight + next.bytes <= maxBytesInflight;
      if (inFlight >= maxInflight || !fits) {
        return; // the head waits (no overtaking: a large image is never starved by small ones)
      }
      start(dequeue());
    }
  }

  private Image dequeue() {
    Image image = queue.pollFirst();
    queuedBytes -= image.bytes;
    updatePause();
    return image;
  }

  private void requeueFirst(Image image) {
    queue.addFirst(image);
    queuedBytes += image.bytes;
    updatePause();
  }

  /** Backpressure on intake: see the class comment. */
  private void updatePause() {
    if (queuedBytes > maxBytesInflight) {
      gate.pauseFor("uploads");
    } else if (queuedBytes <= maxBytesInflight / 2) {
      gate.resumeFrom("uploads");
    }
  }

  private void schedulePump(long delayMs) {
    if (pauseTimer >= 0) {
      return;
    }
    pauseTimer = vertx.setTimer(Math.max(1, delayMs), id -> {
      pauseTimer = -1;
      pump();
    });
  }

  private boolean live(Batch batch) {
    return !batch.done && batch.task.phase() != PendingTask.Phase.FINISHING && ownership.owns(batch.task);
  }

  private void start(Image image) {
    inFlight++;
    bytesInFlight += image.bytes;
    PendingTask task = image.batch.task;
    vertx.executeBlocking(image.uri::contentHash, false)
        .compose(hash -> kie.uploadInlineImage(image.uri, UploadNames.uploadPath(task.requestId),
            UploadNames.fileName(hash, image.index, image.uri.extension())))
        .onComplete(ar -> {
          inFlight--;
          bytesInFlight -= image.bytes;
          KieResult<UploadedFile> r = ar.succeeded() ? ar.result() : KieResult.failed(new KieError(
              ErrorClass.TRANSIENT, "UPLOAD_ERROR", String.valueOf(ar.cause()), 0, null));
          if (!stopped && live(image.batch)) {
            handle(image, r);
          }
          pump();
        });
  }

  private void handle(Image image, KieResult<UploadedFile> r) {
    if (r.isOk() && r.value().downloadUrl() != null) {
      uploaded(image, r.value().downloadUrl());
      return;
    }
    KieError error = r.isOk()
        ? new KieError(ErrorClass.TRANSIENT, "MALFORMED_RESPONSE", "the upload answer has no downloadUrl", 200, null)
        : r.error();
    PendingTask task = image.batch.task;
    switch (error.errorClass()) {
      case RATE_LIMITED -> {
        long wait = error.retryAfter() != null ? Math.min(RETRY_AFTER_CAP_MS, error.retryAfter().toMillis())
            : backoff(image.retries++);
        pausedUntil = Math.max(pausedUntil, System.currentTimeMillis() + wait);
        TaskLog.warn(LOG, task, "Upload for {} rate limited; uploads wait {} ms", task.requestId, wait);
        requeueFirst(image);
      }
      case TRANSIENT -> retryLater(image, error);
      case AUTH, CREDITS, QUOTA -> {
        TaskLog.warn(LOG, task, "Upload for {} refused: {}", task.requestId, error);
        requeueFirst(image);
        listener.refused(error.errorClass());
      }
      default -> fail(image, error);
    }
  }

  private void uploaded(Image image, String url) {
    image.images.set(image.index, url);
    Batch batch = image.batch;
    if (--batch.remaining == 0) {
      batch.done = true;
      listener.uploaded(batch.task);
    }
  }

  private void retryLater(Image image, KieError error) {
    long now = System.currentTimeMillis();
    if (image.firstFailureAt == 0) {
      image.firstFailureAt = now;
    }
    PendingTask task = image.batch.task;
    if (now - image.firstFailureAt >= RETRY_FOR_MS || now >= task.deadlineAt) {
      fail(image, error);
      return;
    }
    long delay = backoff(image.retries++);
    TaskLog.warn(LOG, task, "Upload for {} failed ({}); retrying in {} ms", task.requestId, error, delay);
    vertx.setTimer(delay, id -> {
      if (!stopped && live(image.batch)) {
        requeueFirst(image);
        pump();
      }
    });
  }

  private void fail(Image image, KieError error) {
    image.batch.done = true;
    listener.failed(image.batch.task, "UPLOAD_FAILED", "inline image " + image.index + " could not be uploaded: "
        + error.errorClass() + " (" + error.code() + "): " + error.message(), error.retryable());
  }

  private static final Backoff BACKOFF = new Backoff(BACKOFF_BASE_MS, BACKOFF_CAP_MS, false);

  private static long backoff(int retry) {
    return BACKOFF.delayMillis(retry);
  }

  /** True when {@code task} carries an inline image (a data URI) that must be uploaded before its create. */
  boolean needsUpload(PendingTask task) {
    JsonArray images = imageField(task);
    for (int i = 0; images != null && i < images.size(); i++) {
      if (images.getValue(i) instanceof String s && DataUri.looksLikeDataUri(s)) {
        return true;
      }
    }
    return false;
  }

  private JsonArray imageField(PendingTask task) {
    ModelSpec spec = task.endpoint == Endpoint.MARKET ? registry.find(task.model).orElse(null) : null;
    if (spec == null || spec.imageField() == null || !(task.input.getValue(spec.imageField()) instanceof JsonArray)) {
      return null;
    }
    return task.input.getJsonArray(spec.imageField());
  }

  /** The inline images of one request. */
  private static final class Batch {
    final PendingTask task;
    int remaining;
    /** All uploaded, or one failed: nothing more to do for this request. */
    boolean done;

    Batch(PendingTask task) {
      this.task = task;
    }
  }

  /** One inline image waiting for, or under, upload. */
  private static final class Image {
    final Batch batch;
    final JsonArray images;
    final int index;
    final DataUri uri;
    /** Its upload body's size: what it holds of the byte bound while under way. */
    final long bytes;
    int retries;
    long firstFailureAt;

    Image(Batch batch, JsonArray images, int index, DataUri uri, long bytes) {
      this.batch = batch;
      this.images = images;
      this.index = index;
      this.uri = uri;
      this.bytes = bytes;
    }
  }
}
