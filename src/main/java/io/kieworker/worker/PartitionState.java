package io.kieworker.worker;

import io.kieworker.ledger.LedgerRecord;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** What the worker holds for one owned request partition. Event-loop confined. */
final class PartitionState {
  /**
   * A finished request, kept for the dedupe window: its published result and pass-through headers,
   * encoded (a string is a fraction of a JSON tree's footprint, and is decoded only for a repeat).
   */
  record Terminal(String result, String headers, Instant since) {
    static Terminal of(JsonObject result, JsonArray headers, Instant since) {
      return new Terminal(result == null ? null : result.encode(),
          headers == null || headers.isEmpty() ? null : headers.encode(), since);
    }

    JsonObject resultJson() {
      return result == null ? null : new JsonObject(result);
    }

    JsonArray headersJson() {
      return headers == null ? new JsonArray() : new JsonArray(headers);
    }
  }

  final int partition;
  /** Our ownership epoch of this partition; 0 until our OWNERSHIP record is written. */
  long epoch;
  /** The highest epoch among the OWNERSHIP records read so far. */
  long maxEpochSeen;
  /** Being revoked: in-flight creates may finish, no new one starts. */
  boolean revoking;
  final Map<String, PendingTask> pending = new HashMap<>();
  final Map<String, Terminal> terminals = new HashMap<>();
  /** During replay: the latest ledger record per key (null value = tombstone seen). */
  private Map<String, LedgerRecord> replayed = new HashMap<>();

  PartitionState(int partition) {
    this.partition = partition;
  }

  void replayed(String key, LedgerRecord record) {
    if (record == null) {
      replayed.remove(key);
    } else {
      replayed.put(key, record);
    }
  }

  /** The restored request records (not callbacks); replay state is dropped. */
  List<LedgerRecord> takeReplayed() {
    List<LedgerRecord> records = new ArrayList<>();
    replayed.forEach((key, r) -> {
      if (LedgerRecord.isRequestKey(key)) {
        records.add(r);
      }
    });
    return records;
  }

  /** The callbacks that arrived for this partition and were not yet handled. */
  List<LedgerRecord> takeReplayedCallbacks() {
    List<LedgerRecord> callbacks = new ArrayList<>();
    replayed.forEach((key, r) -> {
      if (LedgerRecord.isCallbackKey(key)) {
        callbacks.add(r);
      }
    });
    replayed = new HashMap<>();
    return callbacks;
  }
}
