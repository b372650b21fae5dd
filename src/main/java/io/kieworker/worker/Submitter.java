package io.kieworker.worker;

import io.kieworker.kafka.ProduceRefusal;
import io.kieworker.retry.Backoff;
import io.kieworker.config.WorkerConfig;
import io.kieworker.callback.CallbackToken;
import io.kieworker.callback.CallbackUrls;
import io.kieworker.kie.ErrorClass;
import io.kieworker.kie.KieClient;
import io.kieworker.kie.KieError;
import io.kieworker.kie.KieResult;
import io.kieworker.kie.RetryAfter;
import io.kieworker.kie.TaskRecord;
import io.kieworker.ledger.LedgerRecord;
import io.kieworker.ledger.TaskLedger;
import io.kieworker.metrics.WorkerMetrics;
import io.kieworker.model.ModelRegistry;
import io.kieworker.request.Endpoint;
import io.kieworker.submit.CreateRateLimiter;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import io.kieworker.logging.RequestLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns queued requests into Kie.ai tasks: inline images uploaded, a create slot taken under the
 * account's rate limit and the in-flight bound, {@code SUBMITTING} made durable, then the one paid
 * call. Every create outcome has exactly one next step here.
 *
 * <p>Event-loop confined (the worker's context).
 */
final class Submitter {
  private static final Logger LOG = LoggerFactory.getLogger(Submitter.class);
  private static final long CREDITS_RECHECK_MS = 30_000;
  private static final long AUTH_RECHECK_MS = 60_000;
  private static final long CONFIRM_RETRY_MS = 2_000;
  /** A create retried after a transient failure: about 1 s at first, at most a minute apart. */
  private static final Backoff RETRY_BACKOFF = new Backoff(500, 60_000, false);

  private final TaskOwnership ownership;
  private final TaskOutcomes outcomes;
  private final IntakeGate gate;
  private final Vertx vertx;
  private final KieClient kie;
  private final TaskLedger ledger;
  private final WorkerMetrics metrics;
  private final WorkerConfig config;
  private final CallbackToken token;
  private final String instanceId;
  private final CreateRateLimiter limiter;
  private final InlineImageUploader uploads;
  private final java.util.List<CreateListener> createListeners = CreateListener.installed();
  private final ArrayDeque<PendingTask> queue = new ArrayDeque<>();
  private final List<Promise<Void>> drainWaiters = new ArrayList<>();
  private int inFlight;
  private long pumpTimer = -1;
  private long pumpAt = Long.MAX_VALUE;
  /** Set while creates wait for credits ("credits"), a working key ("auth") or the sub-key quota ("quota"). */
  private String blockedBy;
  /** While blocked by the quota: the one create let through to find out whether it is back, or null. */
  private PendingTask quotaProbe;
  /** Whether the next queued create may go out as the quota probe. */
  private boolean probeDue;
  /** Set once shutdown began: from then on no create starts, whatever timer or callback asks. */
  private boolean stopping;

  Submitter(TaskOwnership ownership, TaskOutcomes outcomes, IntakeGate gate, Vertx vertx, KieClient kie, TaskLedger ledger, ModelRegistry registry,
      WorkerMetrics metrics, WorkerConfig config, CallbackToken token, String instanceId) {
    this.ownership = ownership;
    this.outcomes = outcomes;
    this.gate = gate;
    this.vertx = vertx;
    this.kie = kie;
    this.ledger = ledger;
    this.metrics = metrics;
    this.config = config;
    this.token = token;
    this.instanceId = instanceId;
    this.limiter = new CreateRateLimiter(config.worker().createRateLimit(),
        config.worker().createRateWindow().toMillis());
    this.uploads = new InlineImageUploader(ownership, gate, vertx, kie, registry, metrics,
        config.worker().maxInflightUploads(), config.worker().maxUploadBytesInflight(),
        () -> blockedBy != null, new UploadOutcome());
  }

  int inFlight() {
    return inFlight;
  }

  CreateRateLimiter limiter() {
    return limiter;
  }

  /** Recomputes this instance's share of the account's create limit after a rebalance. */
  void partitions(java.util.Set<Integer> owned, int total) {
    limiter.partitions(owned, total, System.currentTimeMillis());
    LOG.info("Create rate share: {} of {} per {} ({} of {} partitions)", String.format("%.2f", limiter.share()),
        config.worker().createRateLimit(), config.worker().createRateWindow(), owned.size(), total);
    pump();
  }

  /** Queues a new or resubmitted request; inline images are uploaded first (safe to repeat). */
  void enqueue(PendingTask task) {
    task.queued();
    uploads.submit(task);
  }

  /** Where {@link InlineImageUploader} hands a request back. */
  private final class UploadOutcome implements InlineImageUploader.Listener {
    @Override
    public void uploaded(PendingTask task) {
      if (ownership.owns(task)) {
        queue.addLast(task);
        pump();
      }
    }

    @Override
    public void failed(PendingTask task, String code, String message, boolean retryable) {
      outcomes.finish(task, Results.failed(task, code, message, retryable));
    }

    @Override
    public void refused(ErrorClass why) {
      if (why == ErrorClass.AUTH) {
        gate.keyAccepted(false);
        block("auth", AUTH_RECHECK_MS);
      } else if (why == ErrorClass.QUOTA) {
        quotaReached("433 on an upload", false); // the waiting upload goes again once the probe passes
      } else {
        block("credits", CREDITS_RECHECK_MS);
      }
    }
  }

  /** Drops a task whose partition went away or which finished elsewhere. */
  void forget(PendingTask task) {
    if (task.phase() == PendingTask.Phase.QUEUED) {
      queue.remove(task);
      uploads.forget(task);
    }
    cancelAmbiguousTimer(task);
  }

  private void cancelAmbiguousTimer(PendingTask task) {
    if (task.ambiguousTimer >= 0) {
      vertx.cancelTimer(task.ambiguousTimer);
      task.ambiguousTimer = -1;
    }
  }

  /**
   * Shutdown began: no create starts any more (queued ones, retries and rechecks included); completes
   * when no create is in flight, or after {@code timeout}. Queued tasks are left to the next owner.
   */
  Future<Void> drain(Duration timeout) {
    stopping = true;
    kie.stopCreateRetries();
    queue.clear();
    uploads.stop();
    if (pumpTimer >= 0) {
      vertx.cancelTimer(pumpTimer);
      pumpTimer = -1;
    }
    if (inFlight == 0) {
      return Future.succeededFuture();
    }
    Promise<Void> promise = Promise.promise();
    drainWaiters.add(promise);
    vertx.setTimer(timeout.toMillis(), id -> promise.tryComplete());
    return promise.future();
  }

  // ---- the create pipeline -----------------------------------------------------------------------

  private void pump() {
    long now = System.currentTimeMillis();
    while (mayStartCreate() && !queue.isEmpty()) {
      PendingTask task = queue.peekFirst();
      if (!ownership.owns(task) || ownership.handingOver(task)) {
        queue.pollFirst(); // the partition's next owner reads the request again
        continue;
      }
      if (!limiter.tryAcquire(now)) {
        metrics.rateLimitWait();
        long next = limiter.nextFreeAt(now);
        if (next != Long.MAX_VALUE) {
          schedulePump(next);
        }
        return;
      }
      queue.pollFirst();
      task.createSlotAt = now;
      if (blockedBy != null) {
        quotaProbe = task;
        probeDue = false;
      }
      create(task);
    }
  }

  /** Not stopping, not blocked (or the quota probe is due, with nothing else in flight), a slot free. */
  private boolean mayStartCreate() {
    if (stopping) {
      return false;
    }
    if (blockedBy != null) {
      return "quota".equals(blockedBy) && probeDue && inFlight == 0;
    }
    return inFlight < config.worker().maxInflightCreates();
  }

  private void schedulePump(long at) {
    if (pumpTimer >= 0 && pumpAt <= at) {
      return;
    }
    if (pumpTimer >= 0) {
      vertx.cancelTimer(pumpTimer);
    }
    pumpAt = at;
    pumpTimer = vertx.setTimer(Math.max(1, at - System.currentTimeMillis()), id -> {
      pumpTimer = -1;
      pumpAt = Long.MAX_VALUE;
      pump();
    });
  }

  private void create(PendingTask task) {
    inFlight++;
    task.startCreate(Instant.now(), config.worker().deadline());
    LedgerRecord submitting =
        task.toLedger(LedgerRecord.Type.SUBMITTING, instanceId, ownership.epoch(task.partition), null);
    ledger.write(task.partition, submitting)
        .compose(v -> ownership.fence(task))
        .compose(stillOurs -> {
          // Fenced or revoked after the durable write: the partition is the next owner's. No paid
          // call from here; RELEASED tells the next owner that none was made, so it need not treat
          // the SUBMITTING record as an ambiguous create.
          if (!stillOurs || stopping) {
            if (stopping) {
              TaskLog.info(LOG, task, "Shutdown began before the create of {}: not sent", task.requestId);
            }
            LedgerRecord released =
                task.toLedger(LedgerRecord.Type.RELEASED, instanceId, ownership.epoch(task.partition), null);
            return ledger.write(task.partition, released).<KieResult<String>>map(v -> null)
                .otherwise((KieResult<String>) null);
          }
          long started = System.nanoTime();
          long sentAt = System.currentTimeMillis();
          limiter.sent(task.createSlotAt, sentAt);
          task.createSlotAt = sentAt;
          return callCreate(task).map(r -> {
            metrics.create(task.model, r.isOk() ? "created" : r.errorClass().name().toLowerCase(),
                Duration.ofNanos(System.nanoTime() - started));
            return r;
          });
        })
        .onComplete(ar -> {
          inFlight--;
          if (task == quotaProbe && (ar.failed() || ar.result() == null)) {
            quotaProbe = null; // the probe was never sent: the next queued create probes instead
            probeDue = true;
          }
          if (ar.failed() && ProduceRefusal.refused(ar.cause())) {
            // Kafka will never take this SUBMITTING record: end the request unpaid, do not retry.
            limiter.release(task.createSlotAt);
            outcomes.refusedBeforeCreate(task, ar.cause());
          } else if (ar.failed()) {
            TaskLog.warn(LOG, task, "Ledger write before create failed for {}: {}", task.requestId, ar.cause().toString());
            task.notCreated();
            limiter.release(task.createSlotAt);
            retryLater(task, null);
          } else if (ar.result() != null) {
            onCreated(task, ar.result());
          }
          afterCreate();
        });
  }

  private Future<KieResult<String>> callCreate(PendingTask task) {
    String callBackUrl = callbackUrl(task);
    if (task.endpoint == Endpoint.LEGACY) {
      JsonObject body = task.input.copy().put("model", task.model);
      if (callBackUrl != null) {
        body.put("callBackUrl", callBackUrl);
      }
      return kie.legacyGenerate(body);
    }
    return kie.createTask(task.model, task.input, callBackUrl);
  }

  private void onCreated(PendingTask task, KieResult<String> result) {
    boolean wasProbe = task == quotaProbe;
    if (wasProbe) {
      quotaProbe = null;
    }
    if (result.isOk()) {
      createListeners.forEach(l -> l.created(task.requestId, result.value()));
      if (wasProbe) {
        quotaBack();
      }
      adopt(task, result.value());
      return;
    }
    KieError error = result.error();
    if (wasProbe && error.errorClass() != ErrorClass.QUOTA) {
      quotaBack(); // answered past the quota check: whatever refused it now is handled below
    }
    switch (error.errorClass()) {
      case RATE_LIMITED -> {
        metrics.rateLimited();
        task.notCreated();
        Duration asked = RetryAfter.capped(error.retryAfter(), config.worker().maxRetryAfter());
        long wait = asked != null ? asked.toMillis() : config.worker().createRateWindow().toMillis();
        long now = System.currentTimeMillis();
        limiter.rateLimited(now, now + wait);
        queue.addFirst(task);
      }
      case TRANSIENT -> {
        task.notCreated();
        if (error.httpStatus() == 0) {
          limiter.release(task.createSlotAt); // never reached Kie.ai
        }
        retryLater(task, error);
      }
      case CREDITS -> {
        task.notCreated();
        queue.addFirst(task);
        block("credits", CREDITS_RECHECK_MS);
      }
      case AUTH -> {
        task.notCreated();
        queue.addFirst(task);
        gate.keyAccepted(false);
        block("auth", AUTH_RECHECK_MS);
      }
      case QUOTA -> {
        task.notCreated();
        queue.addFirst(task);
        quotaReached(error.message(), wasProbe);
      }
      case AMBIGUOUS -> {
        metrics.ambiguousCreate();
        outcomes.durable(task); // SUBMITTING is in the ledger
        ambiguous(task, error.message());
      }
      default -> outcomes.finish(task, Results.failed(task, error));
    }
  }

  private void afterCreate() {
    if (inFlight == 0 && !drainWaiters.isEmpty()) {
      drainWaiters.forEach(Promise::tryComplete);
      drainWaiters.clear();
    }
    pump();
  }

  /** Task id known: record it, make the request's offset committable, start tracking. */
  void adopt(PendingTask task, String taskId) {
    cancelAmbiguousTimer(task); // not queued: a task being adopted was taken off the queue to create
    task.created(taskId);
    LedgerRecord submitted =
        task.toLedger(LedgerRecord.Type.SUBMITTED, instanceId, ownership.epoch(task.partition), null);
    outcomes.track(task);
    // Retried until acknowledged: without it a later owner finds only SUBMITTING and treats a known
    // task as an ambiguous create (in poll-only mode: pays again after the grace). Given up once the
    // task is no longer ours (revoked, fenced) or no longer tracked under this task id: once it is
    // FINISHING a late SUBMITTED could land after its TERMINAL and bring the request back.
    task.submittedWriting = true;
    outcomes.writeLedgerWhileOwned(task, submitted,
        () -> taskId.equals(task.taskId) && task.phase() == PendingTask.Phase.TRACKED).onComplete(ar -> {
      task.submittedWriting = false;
      if (ar.succeeded()) {
        outcomes.durable(task);
      } else {
        RequestLog.warn(LOG, task.requestId, taskId, task.partition, task.offset,
            "Ledger SUBMITTED write for {} (task {}) abandoned: {}", task.requestId, taskId, ar.cause().toString());
      }
    });
  }

  /** A create whose answer was lost: wait for its callback, then resubmit after the grace period. */
  void ambiguous(PendingTask task, String why) {
    task.ambiguousCreate();
    // The grace runs from now, not from submittedAt (the first attempt): after retries, or when a
    // new owner restores a SUBMITTING record after a session timeout, most of it would be gone and
    // the request paid again before the first task's callback could arrive (chaos suite finding).
    long wait = config.worker().ambiguousGrace().toMillis();
    TaskLog.warn(LOG, task, "Create for {} is ambiguous ({}); waiting up to {} ms for its callback", task.requestId, why, wait);
    task.ambiguousTimer = vertx.setTimer(wait, id -> {
      task.ambiguousTimer = -1;
      if (task.phase() == PendingTask.Phase.AMBIGUOUS && ownership.owns(task)) {
        TaskLog.warn(LOG, task, "No callback for ambiguous create of {}; submitting again", task.requestId);
        outcomes.resubmit(task, "ambiguous");
      }
    });
  }

  /**
   * A callback named a task for a request whose create was ambiguous. The body is not signed, so
   * Kie.ai is asked: the task must exist and carry this request's callback URL.
   */
  void confirmAmbiguous(PendingTask task, String taskId) {
    if (task.phase() != PendingTask.Phase.AMBIGUOUS && task.phase() != PendingTask.Phase.CREATING) {
      return;
    }
    Future<KieResult<TaskRecord>> lookup =
        task.endpoint == Endpoint.LEGACY ? kie.legacyRecordInfo(taskId) : kie.recordInfo(taskId);
    lookup.onComplete(ar -> {
      if (!ownership.owns(task) || task.taskId != null) {
        return;
      }
      KieResult<TaskRecord> r = ar.result();
      if (r != null && r.isOk() && belongsTo(r.value(), task)) {
        RequestLog.info(LOG, task.requestId, taskId, task.partition, task.offset,
            "Ambiguous create of {} resolved by its callback: task {}", task.requestId, taskId);
        adopt(task, taskId);
        outcomes.pollNow(task); // a callback means the task ended: confirm now, not at the safety-net poll
      } else if (r != null && !r.isOk() && r.error().retryable() && task.phase() == PendingTask.Phase.AMBIGUOUS) {
        // The callback was already answered 200 and will not come again: keep asking Kie.ai
        // (within the grace period, whose timer still runs) rather than drop the only lead.
        vertx.setTimer(CONFIRM_RETRY_MS, id -> confirmAmbiguous(task, taskId));
      } else {
        metrics.callback("ignored", "unconfirmed-task");
      }
    });
  }

  /**
   * The task's stored request carries our callback URL for this attempt of this request (when
   * Kie.ai shows it): a task of an earlier attempt is not this attempt's. A first attempt created
   * before attempts were bound carries the unbound token, which only it can carry.
   */
  private boolean belongsTo(TaskRecord record, PendingTask task) {
    JsonObject param = record.param();
    if (param == null) {
      return task.endpoint == Endpoint.LEGACY; // the legacy record shows no param: trust the token
    }
    String url = param.getString("callBackUrl");
    return url != null && (url.contains(token.token(task.requestId, task.attempt()))
        || task.attempt() <= 1 && url.contains(token.unboundToken(task.requestId)));
  }

  private void retryLater(PendingTask task, KieError error) {
    task.createRetries++;
    if (System.currentTimeMillis() >= task.deadlineAt && task.submittedAt != null) {
      outcomes.finish(task, error == null ? Results.timedOut(task) : Results.failed(task, error));
      return;
    }
    long delay = RETRY_BACKOFF.delayMillis(task.createRetries);
    task.queued();
    vertx.setTimer(delay, id -> {
      if (!stopping && ownership.owns(task) && task.phase() == PendingTask.Phase.QUEUED) {
        queue.addFirst(task);
        pump();
      }
    });
  }

  // ---- credits and key ---------------------------------------------------------------------------

  /** Kie.ai refused the key outside a create (at start): stop until it is accepted again. */
  void keyRefused() {
    gate.keyAccepted(false);
    block("auth", AUTH_RECHECK_MS);
  }

  /** Stops creating (and consuming) until Kie.ai's credit endpoint answers well again. */
  private void block(String reason, long recheckMs) {
    if (blockedBy != null) {
      return;
    }
    blockedBy = reason;
    gate.pauseFor(reason);
    vertx.setTimer(recheckMs, id -> recheck(reason, recheckMs));
  }

  /**
   * 433: the sub-key's usage limit is reached; nothing was created. Creates (and consumption) stop
   * like for 402, but no endpoint tells when the quota returns: every {@code WORKER_QUOTA_RECHECK}
   * one queued create goes out as a probe (a 433 costs nothing), and its success resumes everything.
   */
  private void quotaReached(String why, boolean wasProbe) {
    long recheckMs = config.worker().quotaRecheck().toMillis();
    if (blockedBy == null) {
      LOG.warn("Kie.ai sub-key usage limit reached ({}): creates paused, one probe every {} ms", why, recheckMs);
      block("quota", recheckMs);
    } else if (wasProbe) {
      vertx.setTimer(recheckMs, id -> probeQuota()); // still reached: the next probe later
    }
  }

  private void probeQuota() {
    if (!"quota".equals(blockedBy) || stopping) {
      return;
    }
    probeDue = true;
    pump();
    if (probeDue && inFlight == 0 && queue.isEmpty()) {
      quotaBack(); // nothing to probe with: consume again, the next request is the probe
    }
  }

  private void quotaBack() {
    LOG.info("Kie.ai sub-key quota is back: creates resume");
    probeDue = false;
    blockedBy = null;
    gate.resumeFrom("quota");
    uploads.pump();
  }

  private void recheck(String reason, long recheckMs) {
    if ("quota".equals(reason)) {
      probeQuota();
      return;
    }
    kie.credits().onComplete(ar -> {
      KieResult<Double> r = ar.result();
      boolean keyOk = r != null && (r.isOk() || r.errorClass() != ErrorClass.AUTH);
      boolean creditsOk = r != null && r.isOk() && r.value() > 0;
      if (r != null && r.isOk()) {
        metrics.creditsRemaining(r.value());
      }
      gate.keyAccepted(keyOk);
      if ("auth".equals(reason) ? keyOk : creditsOk) {
        blockedBy = null;
        gate.resumeFrom(reason);
        uploads.pump();
        pump();
      } else {
        vertx.setTimer(recheckMs, id -> recheck(reason, recheckMs));
      }
    });
  }

  // ---- inputs ------------------------------------------------------------------------------------

  /** This attempt's callback URL (its number and token in the query), or null to poll only. */
  private String callbackUrl(PendingTask task) {
    String base = config.kie().callbackBaseUrl();
    return base == null ? null : CallbackUrls.url(base, task.partition, task.requestId, task.attempt(), token);
  }
}
