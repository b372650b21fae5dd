package io.kieworker.worker;

import io.kieworker.ledger.LedgerRecord;
import io.kieworker.ledger.TaskLedger;
import io.kieworker.result.HeaderValue;
import io.kieworker.result.JsonSize;
import io.kieworker.result.RecordSize;
import io.kieworker.result.ResultEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The size of the largest ledger record a new request will need: its TERMINAL record, which holds
 * the SUBMITTING record's input, metadata and pass-through headers (base64) plus the result. Checked
 * at intake, so that a request whose own records could never be written is REJECTED
 * ({@code TOO_LARGE}) before anything is paid, instead of failing after the create.
 */
final class DurableSize {
  /**
   * Room for what the result adds later: result URLs, error, timings, task id. Kie.ai answers a few
   * URLs of a few hundred bytes each; 16 KB is far above that.
   */
  static final int RESULT_RESERVE = 16 * 1024;
  /** What an inline data URI becomes once uploaded (a file URL): it is not stored as given. */
  static final int UPLOADED_URL_BYTES = 300;

  private DurableSize() {}

  static int largestLedgerRecord(PendingTask task, String writer) {
    Map<String, String> metadata = new java.util.LinkedHashMap<>();
    task.metadata.forEach(e -> metadata.put(e.getKey(), String.valueOf(e.getValue())));
    ResultEvent result = ResultEvent.rejected(task.requestId, task.model, metadata, "CODE", "message",
        task.receivedAt).withPublishedAt(Instant.now());
    LedgerRecord terminal = task.toLedger(LedgerRecord.Type.TERMINAL, writer, Long.MAX_VALUE, result.toJson());
    // Counted, not encoded: the same number as terminal.toJson().toBuffer().length() (JsonSizeTest).
    long value = JsonSize.of(terminal.toJson()) - dataUriExcess(task.input) + RESULT_RESERVE;
    int bytes = RecordSize.estimate(terminal.key(), (int) Math.min(Integer.MAX_VALUE, Math.max(0, value)),
        List.of(HeaderValue.of(TaskLedger.WRITER_HEADER, writer)));
    return bytes;
  }

  /** Bytes the inline images' data URIs take beyond the URLs that replace them after upload. */
  static long dataUriExcess(Object json) {
    if (json instanceof String s) {
      return s.startsWith("data:") ? Math.max(0, s.length() - UPLOADED_URL_BYTES) : 0;
    }
    long excess = 0;
    if (json instanceof JsonObject object) {
      for (Map.Entry<String, Object> e : object) {
        excess += dataUriExcess(e.getValue());
      }
    } else if (json instanceof JsonArray array) {
      for (Object item : array) {
        excess += dataUriExcess(item);
      }
    }
    return excess;
  }
}
