package io.kieworker.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
