package io.kieworker.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.kieworker.ledger.LedgerRecord;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class PartitionStateTest {

  @Test
  void handledMarkersGoOnlyOnceACommitHandedOutBeforeThePreviousSweepHasPassedThem() {
    PartitionState state = new PartitionState(0);
    state.handled.add(3L);
    state.handled.add(7L);
    state.handled.add(12L);
    state.lastCommitPosition = 10;

    assertThat(state.commitPassed()).as("first sweep: the commit at 10 may still be in flight").isEmpty();
    state.lastCommitPosition = 13;
    assertThat(state.commitPassed()).containsExactly(3L, 7L);
    assertThat(state.handled).containsExactly(12L);
    assertThat(state.commitPassed()).containsExactly(12L);
    assertThat(state.handled).isEmpty();
  }

  @Test
  void replayKeepsTheLatestEncodedValuePerKeyAndATombstoneRemovesIt() {
    PartitionState state = new PartitionState(0);
    state.replayed("a", "{\"first\":1}".getBytes(), 1);
    state.replayed("a", "{\"second\":2}".getBytes(), 2);
    state.replayed("b", "{}".getBytes(), 3);
    state.replayedTombstone("b");
    state.replayed(LedgerRecord.callbackKey("a"), "{}".getBytes(), 4);

    var requests = state.takeReplayed();
    assertThat(requests).hasSize(1);
    assertThat(new String(requests.get(0).value())).isEqualTo("{\"second\":2}");
    assertThat(requests.get(0).timestamp()).isEqualTo(2);
    assertThat(state.takeReplayedCallbacks()).hasSize(1);
  }

  @Test
  void aTerminalAnswersOnlyTheRecordItCameFrom() {
    PartitionState.Terminal t = PartitionState.Terminal.of(new JsonObject().put("requestId", "r"), null,
        Instant.EPOCH, "requests", 5);
    assertThat(t.answered("requests", 5)).isTrue();
    assertThat(t.answered("requests", 6)).isFalse();
    assertThat(t.answered("other", 5)).isFalse();
    assertThat(PartitionState.Terminal.of(null, null, Instant.EPOCH, null, -1).answered("requests", -1)).isFalse();
  }

  @Test
  void aTerminalKeptFromTheWrittenBytesReadsBackAsTheResultEncodedAsAString() {
    JsonObject result = new JsonObject().put("requestId", "r").put("metadata",
        new JsonObject().put("note", "é \" \n \u0001 \ud83d\ude00 unpaired \ud800 end"));
    JsonArray headers = new JsonArray().add(new JsonObject().put("name", "h").put("value", "dg=="));

    PartitionState.Terminal fromBytes = PartitionState.Terminal.ofEncoded(result.toBuffer(), headers,
        Instant.EPOCH, "requests", 5);
    PartitionState.Terminal fromJson = PartitionState.Terminal.of(result, headers, Instant.EPOCH, "requests", 5);

    assertThat(fromBytes.resultJson()).isEqualTo(fromJson.resultJson()).isEqualTo(result);
    assertThat(fromBytes.resultJson().toBuffer()).isEqualTo(result.toBuffer());
    assertThat(fromBytes.headers()).isEqualTo(fromJson.headers());
    assertThat(PartitionState.Terminal.ofEncoded(new JsonObject().put("requestId", "r").toBuffer(), null,
        Instant.EPOCH, null, -1).result()).isEqualTo(new JsonObject().put("requestId", "r").encode());
  }
}
