package io.kieworker.worker;

import io.kieworker.kie.ErrorClass;
import io.kieworker.kie.KieClient;
import io.kieworker.kie.KieResult;
import io.kieworker.metrics.WorkerMetrics;
import io.vertx.core.Vertx;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Why creates are stopped for the whole instance, and how they come back: no credits (402, the
 * credit endpoint is asked every 30 s), a refused key (401, every 60 s), the sub-key's quota (433:
 * no endpoint tells when it returns, so one queued create goes out as a probe every
 * {@code WORKER_QUOTA_RECHECK}). Consumption pauses with it (through {@link IntakeGate}).
 * Event-loop confined.
 */
final class CreateBlock {
  private static final Logger LOG = LoggerFactory.getLogger(CreateBlock.class);
  private static final long CREDITS_RECHECK_MS = 30_000;
  private static final long AUTH_RECHECK_MS = 60_000;
  static final String CREDITS = "credits";
  static final String AUTH = "auth";
  static final String QUOTA = "quota";

  private final Vertx vertx;
  private final KieClient kie;
  private final WorkerMetrics metrics;
  private final IntakeGate gate;
  private final long quotaRecheckMs;
  /** Creates resume: the submitter's queue and the uploads move again. */
  private final Runnable resume;
  /** Nothing in flight and nothing queued: no create could be the quota probe. */
  private final BooleanSupplier idle;
  private final BooleanSupplier stopping;
  /** Set while creates wait: {@link #CREDITS}, {@link #AUTH} or {@link #QUOTA}. */
  private String blockedBy;
  /** The create sent as the quota probe, while it is under way. */
  private PendingTask quotaProbe;
  /** A quota probe may go out now. */
  private boolean probeDue;

  CreateBlock(Vertx vertx, KieClient kie, WorkerMetrics metrics, IntakeGate gate, long quotaRecheckMs,
      Runnable resume, BooleanSupplier idle, BooleanSupplier stopping) {
    this.vertx = vertx;
    this.kie = kie;
    this.metrics = metrics;
    this.gate = gate;
    this.quotaRecheckMs = quotaRecheckMs;
    this.resume = resume;
    this.idle = idle;
    this.stopping = stopping;
  }

  boolean blocked() {
    return blockedBy != null;
  }

  /** While blocked, only the quota probe may go, and only with nothing else in flight. */
  boolean probeMayGo(int inFlight) {
    return QUOTA.equals(blockedBy) && probeDue && inFlight == 0;
  }

  /** A create is starting: while blocked, it is the quota probe. */
  void starting(PendingTask task) {
    if (blockedBy != null) {
      quotaProbe = task;
      probeDue = false;
    }
  }

  /** The create of {@code task} never left: if it was the probe, the next queued create probes instead. */
  void notSent(PendingTask task) {
    if (task == quotaProbe) {
      quotaProbe = null;
      probeDue = true;
    }
  }

  /** Kie.ai answered the create of {@code task}; true when it was the quota probe (now done). */
  boolean answered(PendingTask task) {
    boolean wasProbe = task == quotaProbe;
    if (wasProbe) {
      quotaProbe = null;
    }
    return wasProbe;
  }

  /** The quota probe was accepted: the quota is back. */
  void probeSucceeded() {
    quotaBack();
  }

  void noCredits() {
    block(CREDITS, CREDITS_RECHECK_MS);
  }

  /** Kie.ai refused the key (at start or on a create): stop until it is accepted again. */
  void keyRefused() {
    gate.keyAccepted(false);
    block(AUTH, AUTH_RECHECK_MS);
  }

  /** 433: nothing was created. Creates stop like for 402; a probe every {@code WORKER_QUOTA_RECHECK}. */
  void quotaReached(String why, boolean wasProbe) {
    if (blockedBy == null) {
      LOG.warn("Kie.ai sub-key usage limit reached ({}): creates paused, one probe every {} ms", why, quotaRecheckMs);
      block(QUOTA, quotaRecheckMs);
    } else if (wasProbe) {
      vertx.setTimer(quotaRecheckMs, id -> probeQuota()); // still reached: the next probe later
    }
  }

  private void block(String reason, long recheckMs) {
    if (blockedBy != null) {
      return;
    }
    blockedBy = reason;
    gate.pauseFor(reason);
    vertx.setTimer(recheckMs, id -> recheck(reason, recheckMs));
  }

  private void probeQuota() {
    if (!QUOTA.equals(blockedBy) || stopping.getAsBoolean()) {
      return;
    }
    probeDue = true;
    resume.run();
    if (probeDue && idle.getAsBoolean()) {
      quotaBack(); // nothing to probe with: consume again, the next request is the probe
    }
  }

  private void quotaBack() {
    LOG.info("Kie.ai sub-key quota is back: creates resume");
    probeDue = false;
    blockedBy = null;
    gate.resumeFrom(QUOTA);
    resume.run();
  }

  private void recheck(String reason, long recheckMs) {
    if (QUOTA.equals(reason)) {
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
      if (AUTH.equals(reason) ? keyOk : creditsOk) {
        blockedBy = null;
        gate.resumeFrom(reason);
        resume.run();
      } else {
        vertx.setTimer(recheckMs, id -> recheck(reason, recheckMs));
      }
    });
  }
}
