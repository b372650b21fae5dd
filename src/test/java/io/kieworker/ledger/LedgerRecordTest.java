package io.kieworker.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class LedgerRecordTest {

  @Test
  void aHandledMarkerIsKeyedByItsSourceOffsetAndSurvivesARoundTrip() {
    LedgerRecord marker = LedgerRecord.handled("req-1", "requests", 42, "w1", 3, Instant.parse("2026-01-01T00:00:00Z"));
    LedgerRecord read = LedgerRecord.fromJson(new JsonObject(marker.toJson().encode()));

    assertThat(read.type()).isEqualTo(LedgerRecord.Type.HANDLED);
    assertThat(read.key()).isEqualTo(LedgerRecord.handledKey(42));
    assertThat(LedgerRecord.offsetOfHandledKey(read.key())).isEqualTo(42);
    assertThat(read.sourceTopic()).isEqualTo("requests");
    assertThat(read.sourceOffset()).isEqualTo(42);
    assertThat(LedgerRecord.isRequestKey(read.key())).isFalse();
    assertThat(marker.toJson().encode().length()).as("a marker is small").isLessThan(200);
  }

  @Test
  void aRecordWithItsResultAlreadyEncodedIsTheSameBytes() {
    JsonObject result = new JsonObject().put("requestId", "r").put("status", "SUCCEEDED").put("taskId", null)
        .put("metadata", new JsonObject().put("note", "é \" \u0001 \ud83d\ude00 \ud800"));
    JsonObject queue = new JsonObject().put("priority", "high").put("tenant", "t").put("queuedAt", 5L);
    Instant at = Instant.parse("2026-12-01T17:53:05.120Z");
    LedgerRecord full = new LedgerRecord(LedgerRecord.Type.TERMINAL, "r", "m", "market",
        new JsonObject().put("prompt", "p\n"), new JsonObject().put("k", "v"), new JsonArray(), at, at, 2, "t-1", "w",
        7, result, "requests", 12, queue);
    LedgerRecord noTail = new LedgerRecord(LedgerRecord.Type.TERMINAL, "r", null, null, null, null, null, null, null, 0,
        null, null, 0, result, null, -1, null);
    LedgerRecord onlyOffset = noTail.withSource(null, 3);

    for (LedgerRecord record : new LedgerRecord[] {full, noTail, onlyOffset}) {
      assertThat(record.toBuffer(result.toBuffer())).as("%s", record).isEqualTo(record.toJson().toBuffer());
    }
    LedgerRecord noResult = LedgerRecord.handled("r", "requests", 4, "w", 1, at);
    assertThat(noResult.toBuffer(null)).isEqualTo(noResult.toJson().toBuffer());
    assertThat(noResult.toBuffer(result.toBuffer())).as("no result to write").isEqualTo(noResult.toJson().toBuffer());
  }

  @Test
  void aRecordWithoutSourceFieldsReadsAsUnknownSource() {
    LedgerRecord old = LedgerRecord.fromJson(new JsonObject("{\"v\":1,\"type\":\"SUBMITTED\",\"requestId\":\"r\"}"));
    assertThat(old.sourceTopic()).isNull();
    assertThat(old.sourceOffset()).isEqualTo(-1);
    assertThat(old.toJson().containsKey("sourceOffset")).isFalse();
  }

  @Test
  void aTypeOfANewerVersionIsRefusedNotGuessed() {
    assertThatThrownBy(() -> LedgerRecord.fromJson(new JsonObject("{\"v\":2,\"type\":\"SUBMITTED_V2\",\"requestId\":\"r\"}")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(LedgerRecord.offsetOfHandledKey("\u0001src:not-a-number")).isEqualTo(-1);
    assertThat(LedgerRecord.offsetOfHandledKey("a-request-id")).isEqualTo(-1);
  }
}
