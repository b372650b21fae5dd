package io.kieworker.ledger;

import static io.kieworker.testing.TestConsumer.records;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kieworker.testing.Await;
import io.kieworker.testing.TestConsumer;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The ledger tail's replay, replay flag and barriers against a MockConsumer; no broker. */
@Tag("unit")
class LedgerTailTest {
  private static final String TOPIC = "ledger";
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final TopicPartition L0 = new TopicPartition(TOPIC, 0);
  private static final TopicPartition L1 = new TopicPartition(TOPIC, 1);

  // LATEST, a plain consumer's default: without its own seek the tail would skip the whole ledger.
  private final TestConsumer mock = new TestConsumer(OffsetResetStrategy.LATEST);
  /** What the worker saw, in order: "p:offset:replay|live" and "replayed:p". */
  private final List<String> events = new CopyOnWriteArrayList<>();
  private final List<String> offContext = new CopyOnWriteArrayList<>();
  private Vertx vertx;
  private Context context;
  private LedgerTail tail;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    context = vertx.getOrCreateContext();
    mock.updateBeginningOffsets(Map.of(L0, 0L, L1, 0L));
    mock.updateEndOffsets(Map.of(L0, 0L, L1, 0L));
    tail = new LedgerTail(mock, TOPIC, context, new LedgerTail.Listener() {
      @Override
      public void onLedgerRecords(int partition, List<ConsumerRecord<String, byte[]>> records, boolean replay) {
        checkContext();
        records.forEach(r -> events.add(partition + ":" + r.offset() + ":" + (replay ? "replay" : "live")));
      }

      @Override
      public void onReplayed(int partition) {
        checkContext();
        events.add("replayed:" + partition);
      }
    });
    tail.start();
  }

  @AfterEach
  void tearDown() {
    tail.close();
    assertThat(offContext).as("listener calls off the worker's context").isEmpty();
    Await.result(vertx.close());
  }

  private void checkContext() {
    if (Vertx.currentContext() != context) {
      offContext.add(Thread.currentThread().getName());
    }
  }

  /** Assigns and waits until the assignment command is done (the first poll runs after it). */
  private void assign(Integer... partitions) {
    tail.assign(Set.of(partitions));
    mock.awaitPolls(1);
  }

  private void add(List<ConsumerRecord<String, byte[]>> records) {
    records.forEach(mock::addRecord);
  }

  /** Two whole polls done and whatever they handed to the worker's context has run. */
  private void settle() {
    mock.awaitPolls(2);
    CountDownLatch flushed = new CountDownLatch(1);
    context.runOnContext(v -> flushed.countDown());
    try {
      assertThat(flushed.await(20, TimeUnit.SECONDS)).isTrue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void replaysFromTheBeginningUpToTheEndSeenAtAssignmentThenTails() {
    mock.updateEndOffsets(Map.of(L0, 3L));
    assign(0);

    add(records(TOPIC, 0, 0, 2));
    settle();
    assertThat(events).containsExactly("0:0:replay", "0:1:replay");

    // Written after the assignment: not part of the replay, and its end must not move.
    mock.updateEndOffsets(Map.of(L0, 5L));
    add(records(TOPIC, 0, 2, 3));
    await().atMost(WAIT).until(() -> events.contains("replayed:0"));
    add(records(TOPIC, 0, 3, 5));

    await().atMost(WAIT).until(() -> events.size() == 6);
    assertThat(events).containsExactly(
        "0:0:replay", "0:1:replay", "0:2:replay", "replayed:0", "0:3:live", "0:4:live");
  }

  @Test
  void anEmptyPartitionIsReplayedAtOnce() {
    assign(0);
    await().atMost(WAIT).until(() -> events.contains("replayed:0"));

    add(records(TOPIC, 0, 0, 1));
    await().atMost(WAIT).until(() -> events.size() == 2);
    assertThat(events).containsExactly("replayed:0", "0:0:live");
  }

  @Test
  void eachPartitionIsReplayedOnItsOwn() {
    mock.updateEndOffsets(Map.of(L0, 1L, L1, 2L));
    assign(0, 1);
    add(records(TOPIC, 0, 0, 1));
    await().atMost(WAIT).until(() -> events.contains("replayed:0"));
    add(records(TOPIC, 0, 1, 2));
    add(records(TOPIC, 1, 0, 1));
    settle();

    assertThat(events).doesNotContain("replayed:1").contains("0:1:live", "1:0:replay");
    add(records(TOPIC, 1, 1, 2));
    await().atMost(WAIT).until(() -> events.contains("replayed:1"));
  }

  @Test
  void aBarrierCompletesOnlyAfterTheRecordsWrittenBeforeItReachedTheListener() {
    assign(0);
    await().atMost(WAIT).until(() -> events.contains("replayed:0"));

    // Three records written (the end offset moves) but not fetched yet.
    mock.updateEndOffsets(Map.of(L0, 3L));
    AtomicReference<List<String>> seenAtBarrier = new AtomicReference<>();
    Future<Void> barrier = tail.barrier(0).onSuccess(v -> seenAtBarrier.set(List.copyOf(events)));
    settle();
    assertThat(barrier.isComplete()).isFalse();

    add(records(TOPIC, 0, 0, 2));
    settle();
    assertThat(barrier.isComplete()).as("one record written before the barrier is still unread").isFalse();

    add(records(TOPIC, 0, 2, 3));
    Await.result(barrier);
    assertThat(seenAtBarrier.get()).containsExactly("replayed:0", "0:0:live", "0:1:live", "0:2:live");
  }

  @Test
  void aBarrierAskedAfterAnotherWasArmedWaitsForItsOwnEndOffset() {
    assign(0);
    await().atMost(WAIT).until(() -> events.contains("replayed:0"));

    mock.updateEndOffsets(Map.of(L0, 2L));
    Future<Void> first = tail.barrier(0);
    settle(); // armed at end offset 2
    mock.updateEndOffsets(Map.of(L0, 4L));
    Future<Void> second = tail.barrier(0);
    Future<Void> joined = tail.barrier(0); // asked before the second was armed: the same barrier

    add(records(TOPIC, 0, 0, 2));
    Await.result(first);
    settle();
    assertThat(second.isComplete()).as("two records written before the second barrier are unread").isFalse();
    assertThat(joined).isSameAs(second);

    add(records(TOPIC, 0, 2, 4));
    Await.result(second);
  }

  @Test
  void aBarrierOnACaughtUpPartitionCompletes() {
    mock.updateEndOffsets(Map.of(L0, 2L));
    assign(0);
    add(records(TOPIC, 0, 0, 2));
    await().atMost(WAIT).until(() -> events.contains("replayed:0"));

    Await.result(tail.barrier(0));
  }

  @Test
  void aBarrierOnAnUnassignedPartitionFails() {
    Throwable nothingAssigned = awaitFailure(tail.barrier(3));
    assertThat(nothingAssigned).hasMessageContaining("ledger-3").hasMessageContaining("not assigned");

    assign(0);
    assertThat(awaitFailure(tail.barrier(1))).hasMessageContaining("ledger-1").hasMessageContaining("not assigned");
  }

  @Test
  void unassignFailsAPendingBarrierWhileOtherPartitionsStay() {
    assign(0, 1);
    mock.updateEndOffsets(Map.of(L0, 5L));
    Future<Void> barrier = tail.barrier(0);
    settle();
    assertThat(barrier.isComplete()).isFalse();

    tail.unassign(Set.of(0));

    assertThat(awaitFailure(barrier)).hasMessageContaining("ledger-0").hasMessageContaining("unassigned");
  }

  @Test
  void unassigningTheLastPartitionFailsItsPendingBarrier() {
    // Regression: with nothing left assigned the turn stops polling, and the barrier hung for good.
    assign(0);
    mock.updateEndOffsets(Map.of(L0, 5L));
    Future<Void> barrier = tail.barrier(0);
    settle();
    assertThat(barrier.isComplete()).isFalse();

    tail.unassign(Set.of(0));

    assertThat(awaitFailure(barrier)).hasMessageContaining("ledger-0").hasMessageContaining("unassigned");
  }

  @Test
  void aFailedEndOffsetLookupAtAssignmentIsAskedAgainAndThePartitionIsStillReplayed() {
    // Regression for 1f3b704: the lookup threw inside assign() and the partition was never replayed.
    mock.updateEndOffsets(Map.of(L0, 2L));
    mock.setOffsetsException(new TimeoutException("end offsets: broker did not answer"));
    tail.assign(Set.of(0));
    await().atMost(WAIT).until(() -> mock.assignment().contains(L0));
    add(records(TOPIC, 0, 0, 2));

    await().atMost(WAIT).until(() -> events.contains("replayed:0"));
    add(records(TOPIC, 0, 2, 3));
    await().atMost(WAIT).until(() -> events.size() == 4);
    assertThat(events).containsExactly("0:0:replay", "0:1:replay", "replayed:0", "0:2:live");
  }

  @Test
  void aFailedEndOffsetLookupForABarrierIsAskedAgain() {
    assign(0);
    await().atMost(WAIT).until(() -> events.contains("replayed:0"));
    mock.updateEndOffsets(Map.of(L0, 1L));
    mock.setOffsetsException(new TimeoutException("end offsets: broker did not answer"));

    Future<Void> barrier = tail.barrier(0);
    add(records(TOPIC, 0, 0, 1));

    Await.result(barrier);
    assertThat(events).containsExactly("replayed:0", "0:0:live");
  }

  private static Throwable awaitFailure(Future<?> future) {
    await().atMost(WAIT).until(future::isComplete);
    assertThat(future.failed()).as("future failed").isTrue();
    return future.cause();
  }
}
