package io.kieworker.worker;

import io.kieworker.callback.CallbackToken;
import io.kieworker.callback.CallbackUrls;
import io.kieworker.config.WorkerConfig;
import io.kieworker.kafka.ProduceRefusal;
import io.kieworker.kie.ErrorClass;
import io.kieworker.kie.KieClient;
import io.kieworker.kie.KieError;
import io.kieworker.kie.KieResult;
import io.kieworker.kie.RetryAfter;
import io.kieworker.ledger.LedgerRecord;
import io.kieworker.ledger.TaskLedger;
import io.kieworker.logging.RequestLog;
import io.kieworker.metrics.WorkerMetrics;
import io.kieworker.model.ModelRegistry;
import io.kieworker.queue.CreateQueue;
import io.kieworker.request.Endpoint;
import io.kieworker.retry.Backoff;
import io.kieworker.submit.CreateRateLimiter;
import io.kieworker.submit.CreateShare;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns queued requests into Kie.ai tasks: inline images uploaded, a place in the create queue
 * ({@link CreateQueue}: priority, then tenants in turn, then first in first out), a create slot
 * taken under the account's rate limit and the in-flight bound, {@code SUBMITTING} made durable,
 * then the one paid call. A queued request whose deadline passes ends EXPIRED instead; one withdrawn
 * by a cancel ends CANCELLED. Every create outcome has exactly one next step here.
 *
 * <p>Event-loop confined (the worker's context).
 */
final class Submitter {
  private static final Logger LOG = LoggerFactory.getLogger(Submitter.class);
  /** A create retried after a transient failure: about 1 s at first, at most a minute apart. */
  private static final Backoff RETRY_BACKOFF = new Backoff(500, 60_000, false);
  /** How often queued requests are checked for their deadline: an EXPIRED result is at most this late. */
  private static final long EXPIRY_SWEEP_MS = 1000;

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
  private final CreateShare share;
  private final InlineImageUploader uploads;
  private final CreateBlock block;
  private final AmbiguousCreates ambiguous;
  private final java.util.List<CreateListener> createListeners = CreateListener.installed();
  private final CreateQueue<PendingTask> queue;
  private final long expirySweepTimer;
  private final List<Promise<Void>> drainWaiters = new ArrayList<>();
  private int inFlight;
  private long pumpTimer = -1;
  private long pumpAt = Long.MAX_VALUE;
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
    this.queue = new CreateQueue<>(config.queue().priorityAging().toMillis(), config.queue()::weightOf);
    this.expirySweepTimer = vertx.setPeriodic(EXPIRY_SWEEP_MS, id -> expireDue());
    this.limiter = new CreateRateLimiter(config.worker().createRateLimit(),
        config.worker().createRateWindow().toMillis());
    this.share = new CreateShare(limiter);
    this.uploads = new InlineImageUploader(ownership, gate, vertx, kie, registry, metrics,
        config.worker().maxInflightUploads(), config.worker().maxUploadBytesInflight(),
        this::createsBlocked, new UploadOutcome());
    this.block = new CreateBlock(vertx, kie, metrics, gate, config.worker().quotaRecheck().toMillis(),
        this::resumeCreates, () -> inFlight == 0 && queue.isEmpty(), () -> stopping);
    this.ambiguous = new AmbiguousCreates(ownership, outcomes, vertx, kie, metrics, token,
        config.worker().ambiguousGrace(), this::adopt);
  }

  private boolean createsBlocked() {
    return block.blocked();
  }

  /** A block ended (or the quota probe may go): the uploads and the queue move again. */
  private void resumeCreates() {
    uploads.pump();
    pump();
  }

  int inFlight() {
    return inFlight;
  }

  /**
   * Requests waiting for a create here plus creates in flight: this instance's demand for create
   * slots, reported to the group every interval (demand.DemandSharing; the group's shares follow it).
   */
  int createDemand() {
    return queue.size() + inFlight;
  }

  /** The create queue, read by the queue gauges (event loop only). */
  CreateQueue<PendingTask> queue() {
    return queue;
  }

  CreateRateLimiter limiter() {
    return limiter;
  }

  /** Recomputes the partition share of the account's create limit after a rebalance (used while the group's view is not live). */
  void partitions(java.util.Set<Integer> owned, int total) {
    share.partitions(owned, total, System.currentTimeMillis());
    LOG.info("Create rate share: {} of {} per {} ({} of {} partitions{})", String.format("%.2f", limiter.share()),
        config.worker().createRateLimit(), config.worker().createRateWindow(), owned.size(), total,
        share.grouped() ? "; the group's demand share applies" : "");
    pump();
  }

  /** The group's demand-aware share changed (null: back to the partition share); see CreateShare. */
  void groupShare(Integer groupShare, long startDelayMillis) {
    share.group(groupShare, System.currentTimeMillis(), startDelayMillis);
    LOG.debug("Create rate share: {} of {} per {} ({})", String.format("%.2f", limiter.share()),
        config.worker().createRateLimit(), config.worker().createRateWindow(),
        groupShare == null ? "partitions" : "group demand");
    pump();
  }

  /**
   * True when {@code task}, enqueued now, has its create started in the same call: nothing to
   * upload, nobody queued ahead of it, no block, a create slot and a rate-limit slot free. Intake
   * then skips the acceptance record: the SUBMITTING record written before the create carries the
   * request just as well and makes its offset committable (see {@link #create}), so an unqueued
   * request costs four ledger writes, not five. Event loop only; true holds until this turn ends.
   */
  boolean createsAtOnce(PendingTask task) {
    long now = System.currentTimeMillis();
    return queue.isEmpty() && !block.blocked() && mayStartCreate() && limiter.nextFreeAt(now) <= now
        && !task.expired(now) && !uploads.needsUpload(task);
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
      if (!ownership.owns(task)) {
        return;
      }
      if (task.expired(System.currentTimeMillis())) {
        expire(task);
        return;
      }
      queue.addLast(task, task.priority, task.tenant, task.queuedAt);
      pump();
    }

    @Override
    public void failed(PendingTask task, String code, String message, boolean retryable) {
      outcomes.finish(task, Results.failed(task, code, message, retryable));
    }

    @Override
    public void refused(ErrorClass why) {
      if (why == ErrorClass.AUTH) {
        block.keyRefused();
      } else if (why == ErrorClass.QUOTA) {
        block.quotaReached("433 on an upload", false); // the waiting upload goes again once the probe passes
      } else {
        block.noCredits();
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

  /**
   * A cancel for {@code task}: true when its create had not started (queued, uploading, or waiting
   * for a retry), so it is withdrawn and nothing is paid; false when it is too late (created, being
   * created, or finishing: Kie.ai has no cancel).
   */
  boolean withdraw(PendingTask task) {
    if (task.phase() != PendingTask.Phase.QUEUED || task.attempts() > 0) {
      return false;
    }
    queue.remove(task);
    uploads.forget(task);
    return true;
  }

  /** Queued requests whose deadline passed end EXPIRED, whether or not the queue is moving. */
  private void expireDue() {
    if (stopping || queue.isEmpty()) {
      return;
    }
    long now = System.currentTimeMillis();
    for (CreateQueue.Entry<PendingTask> entry : queue.entries()) {
      if (entry.item().expired(now)) {
        queue.remove(entry.item());
        expire(entry.item());
      }
    }
  }

  private void expire(PendingTask task) {
    metrics.counter("kie_worker.expired").increment();
    TaskLog.info(LOG, task, "Request {} expired before its create started; nothing was paid", task.requestId);
    outcomes.finish(task, Results.expired(task));
  }

  private void cancelAmbiguousTimer(PendingTask task) {
    ambiguous.cancel(task);
  }

  /**
   * Shutdown began: no create starts any more (queued ones, retries and rechecks included); completes
   * when no create is in flight, or after {@code timeout}. Queued tasks are left to the next owner.
   */
  Future<Void> drain(Duration timeout) {
    stopping = true;
    vertx.cancelTimer(expirySweepTimer);
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
      PendingTask task = queue.peek(now).item();
      if (!ownership.owns(task) || ownership.handingOver(task) || task.phase() != PendingTask.Phase.QUEUED) {
        queue.remove(task); // the partition's next owner queues it again from the ledger; or it ended
        continue;
      }
      if (task.expired(now)) {
        queue.remove(task);
        expire(task);
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
      queue.poll(now); // the entry peeked: poll charges its tenant's turn, remove would not
      if (task.submittedAt == null) {
        metrics.queueWait(task.priority.wireName(), Math.max(0, now - task.queuedAt));
      }
      task.createSlotAt = now;
      block.starting(task);
      create(task);
    }
  }

  /** Not stopping, not blocked (or the quota probe is due, with nothing else in flight), a slot free. */
  private boolean mayStartCreate() {
    if (stopping) {
      return false;
    }
    if (block.blocked()) {
      return block.probeMayGo(inFlight);
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
        .compose(v -> {
          // The request is in the ledger now: its offset may be committed, if no acceptance record
          // did that already (createsAtOnce). Before the fence: fenced or not, the next owner's replay has it.
          outcomes.durable(task);
          return ownership.fence(task);
        })
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
          if (ar.failed() || ar.result() == null) {
            block.notSent(task);
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
    boolean wasProbe = block.answered(task);
    if (result.isOk()) {
      createListeners.forEach(l -> l.created(task.requestId, result.value()));
      if (wasProbe) {
        block.probeSucceeded();
      }
      adopt(task, result.value());
      return;
    }
    KieError error = result.error();
    if (wasProbe && error.errorClass() != ErrorClass.QUOTA) {
      block.probeSucceeded(); // answered past the quota check: whatever refused it now is handled below
    }
    switch (error.errorClass()) {
      case RATE_LIMITED -> {
        metrics.rateLimited();
        task.notCreated();
        Duration asked = RetryAfter.capped(error.retryAfter(), config.worker().maxRetryAfter());
        long wait = asked != null ? asked.toMillis() : config.worker().createRateWindow().toMillis();
        long now = System.currentTimeMillis();
        limiter.rateLimited(now, now + wait);
        requeueFront(task);
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
        requeueFront(task);
        block.noCredits();
      }
      case AUTH -> {
        task.notCreated();
        requeueFront(task);
        block.keyRefused();
      }
      case QUOTA -> {
        task.notCreated();
        requeueFront(task);
        block.quotaReached(error.message(), wasProbe);
      }
      case AMBIGUOUS -> {
        metrics.ambiguousCreate();
        outcomes.durable(task); // SUBMITTING is in the ledger
        ambiguous(task, error.message());
      }
      default -> outcomes.finish(task, Results.failed(task, error));
    }
  }

  /** Back in front of its tenant's lane (after a refusal or a retry wait), keeping its age. */
  private void requeueFront(PendingTask task) {
    queue.addFirst(task, task.priority, task.tenant, task.queuedAt);
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
    ambiguous.await(task, why);
  }

  /** A callback named a task for a request whose create was ambiguous: confirmed with Kie.ai, then adopted. */
  void confirmAmbiguous(PendingTask task, String taskId) {
    ambiguous.confirm(task, taskId);
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
        requeueFront(task);
        pump();
      }
    });
  }

  // ---- credits and key ---------------------------------------------------------------------------

  /** Kie.ai refused the key outside a create (at start): stop until it is accepted again. */
  void keyRefused() {
    block.keyRefused();
  }

  // ---- inputs ------------------------------------------------------------------------------------

  /** This attempt's callback URL (its number and token in the query), or null to poll only. */
  private String callbackUrl(PendingTask task) {
    String base = config.kie().callbackBaseUrl();
    return base == null ? null : CallbackUrls.url(base, task.partition, task.requestId, task.attempt(), token);
  }
}
