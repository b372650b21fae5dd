package io.kieworker.worker;

import io.kieworker.ledger.LedgerRecord;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeSet;

/** What the worker holds for one owned request partition. Event-loop confined. */
final class PartitionState {
  /**
   * A finished request, kept for the dedupe window: its published result and pass-through headers,
   * encoded (a string is a fraction of a JSON tree's footprint, and is decoded only for a repeat).
   *
   * @param since when the TERMINAL ledger record was written (its record timestamp, or now for our
   *     own): the dedupe window runs from there, never from a replay
   * @param sourceTopic the request record the result answered (null / -1 when not known)
   */
  record Terminal(String result, String headers, Instant since, String sourceTopic, long sourceOffset) {
    static Terminal of(JsonObject result, JsonArray headers, Instant since, String sourceTopic, long sourceOffset) {
      return new Terminal(result == null ? null : result.encode(),
          headers == null || headers.isEmpty() ? null : headers.encode(), since, sourceTopic, sourceOffset);
    }

    /**
     * Like {@link #of}, from the result's encoded value as written ({@code JsonObject.toBuffer()}): the
     * same JSON text as {@code encode()} gives, but for an unpaired surrogate, which the bytes hold
     * escaped (a six-character u-escape) and the string as is; both read back to the same result.
     */
    static Terminal ofEncoded(Buffer result, JsonArray headers, Instant since, String sourceTopic,
        long sourceOffset) {
      return new Terminal(result.toString(StandardCharsets.UTF_8),
          headers == null || headers.isEmpty() ? null : headers.encode(), since, sourceTopic, sourceOffset);
    }

    JsonObject resultJson() {
      return result == null ? null : new JsonObject(result);
    }

    JsonArray headersJson() {
      return headers == null ? new JsonArray() : new JsonArray(headers);
    }

    /** True when this result answered exactly the request record {@code topic}-partition@{@code offset}. */
    boolean answered(String topic, long offset) {
      return sourceOffset >= 0 && sourceOffset == offset && topic.equals(sourceTopic);
    }
  }

  /**
   * A ledger value read during replay, kept encoded: the latest per key, parsed once when the replay
   * ends. Replay memory is then the encoded size of the partition's live keys (each value bounded
   * by the largest record the worker writes) rather than a JSON tree per key, which costs several
   * times the encoded bytes; a key's earlier values become garbage as soon as a later one is read.
   */
  record Replayed(byte[] value, long timestamp) {}

  final int partition;
  /** Our ownership epoch of this partition; 0 until our OWNERSHIP record is written. */
  long epoch;
  /** The highest epoch among the OWNERSHIP records read so far. */
  long maxEpochSeen;
  /** Being revoked: in-flight creates may finish, no new one starts. */
  boolean revoking;
  /** The tasks of this partition not finished yet; change it through {@link #addPending} / {@link #removePending}. */
  final Map<String, PendingTask> pending = new HashMap<>();
  /** The request bytes those tasks hold (for WORKER_MAX_PENDING_BYTES). */
  long pendingBytes;
  /**
   * The request offset intake must have read before the queue restored from the ledger may be
   * created from (the partition's end offset at assignment, minus one); -1 when there is nothing to
   * wait for. Requests produced before the assignment, e.g. a cancel of a restored request, are
   * applied first.
   */
  long catchUpTo = -1;
  /** Restored queued tasks waiting for {@link #catchUpTo}; null once released. */
  List<PendingTask> heldUntilCaughtUp = new ArrayList<>();
  final Map<String, Terminal> terminals = new HashMap<>();
  /**
   * Offsets of request records answered without a task of their own (rejected, or republished from
   * the dedupe window) whose HANDLED ledger marker exists: read again, they are skipped. Bounded by
   * the records of this partition between its committed offset and the newest read (the sweep
   * tombstones the markers the committed offset has passed, see {@link #commitPassed}).
   */
  final NavigableSet<Long> handled = new TreeSet<>();
  /** Rejections and republishes of this partition still writing their outputs (a hand-over waits). */
  int answering;
  /** The highest commit position handed out for this partition, and the one the last sweep saw. */
  long lastCommitPosition = -1;
  long commitSeenBySweep = -1;
  /**
   * During replay: the latest ledger value per key (a tombstone removes the key), in the order the
   * keys first appeared: a request's first record is its RELEASED one written at intake, so the
   * restored create queue keeps the order the requests came in (first in, first out per tenant).
   */
  private Map<String, Replayed> replayed = new LinkedHashMap<>();

  PartitionState(int partition) {
    this.partition = partition;
  }

  void replayed(String key, byte[] value, long timestamp) {
    replayed.put(key, new Replayed(value, timestamp));
  }

  void replayedTombstone(String key) {
    replayed.remove(key);
  }

  /** The restored request values (not callbacks), by key. */
  List<Replayed> takeReplayed() {
    List<Replayed> records = new ArrayList<>();
    replayed.forEach((key, r) -> {
      if (LedgerRecord.isRequestKey(key)) {
        records.add(r);
      }
    });
    return records;
  }

  /** The callbacks that arrived for this partition and were not yet handled; replay state is dropped. */
  List<Replayed> takeReplayedCallbacks() {
    List<Replayed> callbacks = new ArrayList<>();
    replayed.forEach((key, r) -> {
      if (LedgerRecord.isCallbackKey(key)) {
        callbacks.add(r);
      }
    });
    replayed = new LinkedHashMap<>();
    return callbacks;
  }

  /**
   * The HANDLED markers no re-read can reach any more: below the commit position handed out before
   * the previous sweep (a commit interval is far shorter than a sweep period, so that commit has
   * been acknowledged or failed; a failed one leaves at most the records since the last good one
   * to be re-read, and those keep their markers until a later commit passes them). Removed here.
   */
  List<Long> commitPassed() {
    List<Long> passed = new ArrayList<>();
    if (commitSeenBySweep >= 0) {
      NavigableSet<Long> below = handled.headSet(commitSeenBySweep, false);
      passed.addAll(below);
      below.clear();
    }
    commitSeenBySweep = lastCommitPosition;
    return passed;
  }

  /** Restored queued tasks still wait for intake to catch up (see {@link #heldUntilCaughtUp}). */
  boolean restoredQueueWaits() {
    return heldUntilCaughtUp != null && !heldUntilCaughtUp.isEmpty();
  }

  void addPending(PendingTask task) {
    PendingTask replaced = pending.put(task.requestId, task);
    pendingBytes += task.bytes - (replaced == null ? 0 : replaced.bytes);
  }

  /** Removes {@code task} if it is the one pending under its id; true if it was. */
  boolean removePending(PendingTask task) {
    if (pending.remove(task.requestId, task)) {
      pendingBytes -= task.bytes;
      return true;
    }
    return false;
  }
}
