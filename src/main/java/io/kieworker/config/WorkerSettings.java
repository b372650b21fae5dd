package io.kieworker.config;

import java.time.Duration;

/**
 * Limits and timings of the worker.
 *
 * @param callbackSecret signs callback URL tokens, or null: then derived from the API key
 * @param createRateLimit createTask calls allowed per {@code createRateWindow}, for the whole account
 * @param pollRate recordInfo calls per second, for the whole API key
 * @param maxPending pending tasks at which the request partitions pause
 * @param resumeRatio fraction of {@code maxPending} at which they resume
 * @param resubmit5xx times a create answered with a 5xx may be submitted again
 * @param ambiguousGrace how long a SUBMITTING record without task id waits for its callback
 * @param dedupeWindow how long a terminal record answers a repeated request id
 * @param pollMinGap the shortest wait between two status reads of one task
 * @param expectedDuration stands in for every model's typical duration until completions are
 *     observed, or null to use the registry's per-model figures
 * @param pollTargetLatency poll-only: the mean completion → read delay the poll plan aims for, or
 *     null for the best the read budget allows
 * @param trustCallbacks complete a task from an authenticated callback's body (URL token, and
 *     Kie.ai's signature when a webhook key is set) instead of confirming it with recordInfo
 * @param maxInflightUploads inline-image uploads under way at once; the rest wait in order
 * @param maxUploadBytesInflight bytes of upload request bodies held at once (one larger image
 *     still goes, alone)
 * @param quotaRecheck how often one create probes whether the sub-key's usage limit (433) is back
 * @param maxRetryAfter the longest wait a 429's {@code Retry-After} may impose on creates
 * @param demandInterval how often this instance reports its create demand on the demand topic
 */
public record WorkerSettings(String callbackSecret, int createRateLimit, Duration createRateWindow,
    double pollRate, Duration deadline, int maxInflightCreates, int maxPending, double resumeRatio,
    int resubmit5xx, Duration ambiguousGrace, Duration dedupeWindow, Duration commitInterval,
    Duration shutdownTimeout, int maxRequestBytes, Duration pollMinGap, Duration expectedDuration,
    Duration pollTargetLatency, boolean trustCallbacks, int maxInflightUploads, int maxUploadBytesInflight,
    Duration quotaRecheck, Duration maxRetryAfter, Duration demandInterval) {

  /** Pending tasks at or below which paused partitions resume. */
  public int resumeMark() {
    return (int) Math.floor(maxPending * resumeRatio);
  }

  @Override
  public String toString() {
    return "WorkerSettings[callbackSecret=" + Secrets.mask(callbackSecret) + ", createRateLimit=" + createRateLimit
        + ", createRateWindow=" + createRateWindow + ", pollRate=" + pollRate + ", deadline=" + deadline
        + ", maxInflightCreates=" + maxInflightCreates + ", maxPending=" + maxPending + ", resumeRatio="
        + resumeRatio + ", resubmit5xx=" + resubmit5xx + ", ambiguousGrace=" + ambiguousGrace + ", dedupeWindow="
        + dedupeWindow + ", commitInterval=" + commitInterval + ", shutdownTimeout=" + shutdownTimeout
        + ", maxRequestBytes=" + maxRequestBytes + ", pollMinGap=" + pollMinGap
        + ", expectedDuration=" + expectedDuration + ", pollTargetLatency=" + pollTargetLatency
        + ", trustCallbacks=" + trustCallbacks
        + ", maxInflightUploads=" + maxInflightUploads + ", maxUploadBytesInflight=" + maxUploadBytesInflight
        + ", quotaRecheck=" + quotaRecheck + ", maxRetryAfter=" + maxRetryAfter
        + ", demandInterval=" + demandInterval + "]";
  }
}
