package io.kieworker.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.kieworker.ledger.LedgerRecord;
import io.kieworker.ledger.TaskLedger;
import io.kieworker.request.Endpoint;
import io.kieworker.result.HeaderValue;
import io.kieworker.result.RecordSize;
import io.kieworker.result.ResultEvent;
import io.kieworker.result.ResultStatus;
import io.kieworker.result.Timings;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class DurableSizeTest {
  private static final Instant AT = Instant.parse("2026-12-01T17:53:05.123456Z");

  @Test
  void theBoundHoldsTheTerminalRecordOfASucceededTask() {
    PendingTask task = task();
    int bound = DurableSize.largestLedgerRecord(task, "worker-1");

    task.startCreate(AT, java.time.Duration.ofMinutes(30));
    task.taskId = "t".repeat(64);
    List<String> urls = List.of("https://tempfile.aiquickdraw.com/" + "u".repeat(250) + ".png",
        "https://tempfile.aiquickdraw.com/" + "v".repeat(250) + ".png");
    ResultEvent result = new ResultEvent(task.requestId, ResultStatus.SUCCEEDED, task.model, task.taskId, urls, null,
        3, 18.5, new Timings(AT, AT, AT, AT.plusNanos(1)), Map.of("user", "u-42", "n", "7", "nested", "{\"a\":[1,2]}"));
    LedgerRecord terminal = task.toLedger(LedgerRecord.Type.TERMINAL, "worker-1", Long.MAX_VALUE, result.toJson());
    int written = RecordSize.estimate(terminal.key(), terminal.toJson().toBuffer().length(),
        List.of(HeaderValue.of(TaskLedger.WRITER_HEADER, "worker-1")));

    assertThat(bound).isGreaterThanOrEqualTo(written);
    assertThat(bound).as("no more than the reserve above it").isLessThanOrEqualTo(written + DurableSize.RESULT_RESERVE);
  }

  @Test
  void theBoundCountsTheRecordAsEncodedEscapesAndAll() {
    PendingTask plain = task();
    PendingTask escaped = task();
    escaped.input.put("prompt", escaped.input.getString("prompt").replace('a', '\u0001'));

    // Each 'a' in the prompt (1 byte) becomes a six-byte u-escape in the record.
    long as = plain.input.getString("prompt").chars().filter(c -> c == 'a').count();
    assertThat(DurableSize.largestLedgerRecord(escaped, "w") - DurableSize.largestLedgerRecord(plain, "w"))
        .isBetween((int) (5 * as - 12), (int) (5 * as + 12)); // publishedAt is now: its fraction may vary
  }

  private static PendingTask task() {
    JsonObject input = new JsonObject().put("prompt", "a lighthouse at dawn, \"quoted\", é, \ud83d\ude00 ".repeat(20))
        .put("n", 1).put("strength", 0.75).put("image_urls", new JsonArray().add("https://x/y.png"));
    JsonObject metadata = new JsonObject().put("user", "u-42").put("n", 7).put("nested", new JsonObject()
        .put("a", new JsonArray().add(1).add(2)));
    JsonArray headers = new JsonArray().add(new JsonObject().put("name", "traceparent").put("value", "AAEC"));
    PendingTask task = new PendingTask("req-1", 0, 12L, "google/nano-banana", Endpoint.MARKET, input, metadata,
        headers, AT);
    task.source("requests", 12);
    return task;
  }
}
