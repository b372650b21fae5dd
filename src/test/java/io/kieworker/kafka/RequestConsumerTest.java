package io.kieworker.kafka;

import static io.kieworker.testing.TestConsumer.records;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kieworker.testing.Await;
import io.kieworker.testing.TestConsumer;
import io.kieworker.testing.TestConsumer.Commit;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.ThreadingModel;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The request consumer's rebalance, pause and commit protocol against a MockConsumer, with a real
 * Vert.x context standing in for the worker's. No broker.
 */
@Tag("unit")
class RequestConsumerTest {
  private static final String TOPIC = "requests";
  private static final String POLL_THREAD = "kie-requests-poll";
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final TopicPartition P0 = new TopicPartition(TOPIC, 0);
  private static final TopicPartition P1 = new TopicPartition(TOPIC, 1);
  private static final TopicPartition P2 = new TopicPartition(TOPIC, 2);

  private final TestConsumer mock = new TestConsumer();
  private final FakeWorker worker = new FakeWorker();
  private Vertx vertx;
  private Context context;
  private RequestConsumer consumer;

  /** Assigned or revoked partitions, and the promise the test completes as the worker's answer. */
  record Assigned(Set<Integer> partitions, Promise<Void> answer) {}

  record Revoked(Set<Integer> partitions, boolean lost, Promise<Map<Integer, Long>> answer) {}

  /** The worker's side: records every call; the test answers the rebalance calls. */
  final class FakeWorker implements RequestConsumer.Listener {
    final BlockingQueue<Assigned> assigned = new LinkedBlockingQueue<>();
    final BlockingQueue<Revoked> revoked = new LinkedBlockingQueue<>();
    final List<ConsumerRecord<String, byte[]>> records = new CopyOnWriteArrayList<>();
    final List<String> offContext = new CopyOnWriteArrayList<>();
    /** When set, each onRecords call takes a permit first: the worker falls behind. */
    volatile Semaphore gate;
    final AtomicInteger batchesDone = new AtomicInteger();

    @Override
    public Future<Void> onAssigned(Set<Integer> partitions) {
      checkContext("onAssigned");
      Promise<Void> answer = Promise.promise();
      assigned.add(new Assigned(partitions, answer));
      return answer.future();
    }

    @Override
    public Future<Map<Integer, Long>> onRevoked(Set<Integer> partitions, boolean lost) {
      checkContext("onRevoked");
      Promise<Map<Integer, Long>> answer = Promise.promise();
      revoked.add(new Revoked(partitions, lost, answer));
      return answer.future();
    }

    @Override
    public void onRecords(List<ConsumerRecord<String, byte[]>> batch) {
      checkContext("onRecords");
      Semaphore g = gate;
      if (g != null) {
        acquire(g);
      }
      records.addAll(batch);
      batchesDone.incrementAndGet();
    }

    private void checkContext(String method) {
      if (Vertx.currentContext() != context) {
        offContext.add(method + " on " + Thread.currentThread().getName());
      }
    }

    List<Long> offsets(int partition) {
      return records.stream().filter(r -> r.partition() == partition).map(ConsumerRecord::offset).toList();
    }

    Assigned nextAssigned() {
      return next(assigned, "onAssigned");
    }

    Revoked nextRevoked() {
      return next(revoked, "onRevoked");
    }
  }

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    context = vertx.getOrCreateContext();
    mock.updateBeginningOffsets(Map.of(P0, 0L, P1, 0L, P2, 0L));
  }

  @AfterEach
  void tearDown() throws Exception {
    Semaphore gate = worker.gate;
    if (gate != null) {
      gate.release(10_000);
    }
    if (consumer != null) {
      consumer.stop(Map.of(), Duration.ofSeconds(1)).get(20, TimeUnit.SECONDS);
    }
    assertThat(worker.offContext).as("listener calls off the worker's context").isEmpty();
    Await.result(vertx.close());
  }

  private void start() {
    consumer = new RequestConsumer(mock, TOPIC, context, worker);
    consumer.start();
  }

  /** The group hands this consumer {@code partitions} (inside a poll, on the poll thread, as Kafka does). */
  private void rebalanceTo(TopicPartition... partitions) {
    mock.runInPoll(() -> mock.rebalance(List.of(partitions)));
  }

  /** Assigned and replayed: the partitions fetch. */
  private void assignReady(TopicPartition... partitions) {
    rebalanceTo(partitions);
    worker.nextAssigned().answer().complete();
    await().atMost(WAIT).until(() -> mock.paused().isEmpty());
  }

  private void add(List<ConsumerRecord<String, byte[]>> records) {
    records.forEach(mock::addRecord);
  }

  /** Two whole polls done and whatever they handed to the worker's context has run. */
  private void settle() {
    mock.awaitPolls(2);
    CountDownLatch flushed = new CountDownLatch(1);
    context.runOnContext(v -> flushed.countDown());
    awaitLatch(flushed);
  }

  @Test
  void aNewPartitionStaysPausedUntilItsReplayCompletesThenFetches() {
    start();
    rebalanceTo(P0, P1);

    assertThat(mock.paused()).as("paused inside the assignment callback, before any fetch").containsOnly(P0, P1);
    Assigned call = worker.nextAssigned();
    assertThat(call.partitions()).containsOnly(0, 1);
    add(records(TOPIC, 0, 0, 4));
    settle();
    assertThat(worker.records).as("nothing read before the ledger is replayed").isEmpty();
    assertThat(mock.paused()).containsOnly(P0, P1);

    call.answer().complete();

    await().atMost(WAIT).until(() -> worker.records.size() == 4);
    assertThat(mock.paused()).isEmpty();
    assertThat(worker.offsets(0)).containsExactly(0L, 1L, 2L, 3L);
  }

  @Test
  void eachAssignmentIsReleasedByItsOwnReplay() {
    start();
    assignReady(P0);
    rebalanceTo(P0, P1);
    Assigned second = worker.nextAssigned();
    assertThat(second.partitions()).containsOnly(1);

    add(records(TOPIC, 0, 0, 2));
    add(records(TOPIC, 1, 0, 2));
    settle();
    assertThat(worker.offsets(0)).containsExactly(0L, 1L);
    assertThat(worker.offsets(1)).isEmpty();
    assertThat(mock.paused()).containsOnly(P1);

    second.answer().complete();
    await().atMost(WAIT).until(() -> worker.offsets(1).size() == 2);
    assertThat(mock.paused()).isEmpty();
  }

  @Test
  void recordsReachTheWorkerInOffsetOrderAcrossManyPolls() {
    mock.setMaxPollRecords(3);
    start();
    assignReady(P0, P1);

    add(records(TOPIC, 0, 0, 50));
    add(records(TOPIC, 1, 0, 50));

    await().atMost(WAIT).until(() -> worker.records.size() == 100);
    List<Long> expected = records(TOPIC, 0, 0, 50).stream().map(ConsumerRecord::offset).toList();
    assertThat(worker.offsets(0)).isEqualTo(expected);
    assertThat(worker.offsets(1)).isEqualTo(expected);
  }

  @Test
  void aRevokeWaitsForTheWorkerThenCommitsItsAnswerSynchronously() {
    start();
    assignReady(P0, P1);

    // Not runInPoll: the poll blocks in the callback until the worker answers.
    mock.schedulePollTask(() -> mock.rebalance(List.of(P1)));
    Revoked call = worker.nextRevoked();
    assertThat(call.partitions()).containsOnly(0);
    assertThat(call.lost()).isFalse();
    assertThat(mock.commits()).as("no commit before the worker has answered").isEmpty();

    call.answer().complete(Map.of(0, 42L));

    await().atMost(WAIT).until(() -> !mock.commits().isEmpty());
    assertThat(mock.commits()).containsExactly(new Commit(Map.of(P0, 42L), POLL_THREAD, true));
    // The partition that stays goes on fetching.
    add(records(TOPIC, 1, 0, 1));
    await().atMost(WAIT).until(() -> worker.offsets(1).size() == 1);
  }

  @Test
  void aRevokeAnsweredWithNothingCommitsNothing() {
    start();
    assignReady(P0, P1);

    mock.schedulePollTask(() -> mock.rebalance(List.of(P1)));
    worker.nextRevoked().answer().complete(Map.of());

    mock.awaitPolls(1);
    assertThat(mock.commits()).isEmpty();
  }

  @Test
  void aLostPartitionCommitsNothingAndIsNoLongerPausedOrResumed() {
    start();
    assignReady(P0, P1);

    // MockConsumer never reports a lost partition itself; the group listener is called as Kafka would.
    mock.schedulePollTask(() -> mock.groupListener().onPartitionsLost(List.of(P1)));
    Revoked call = worker.nextRevoked();
    assertThat(call.partitions()).containsOnly(1);
    assertThat(call.lost()).isTrue();
    call.answer().complete(Map.of(1, 9L));

    mock.awaitPolls(1);
    assertThat(mock.commits()).as("another member owns the partition now").isEmpty();
    consumer.pauseAll();
    await().atMost(WAIT).until(() -> mock.paused().equals(Set.of(P0)));
  }

  @Test
  void pauseAllStopsFetchingWhilePollingGoesOnAndResumeAllLeavesAReplayingPartitionPaused() {
    start();
    assignReady(P0, P1);
    rebalanceTo(P0, P1, P2);
    Assigned replayOf2 = worker.nextAssigned();

    consumer.pauseAll();
    await().atMost(WAIT).until(() -> mock.paused().equals(Set.of(P0, P1, P2)));
    add(records(TOPIC, 0, 0, 3));
    settle(); // polls go on: a paused consumer still answers the group
    assertThat(worker.records).isEmpty();

    consumer.resumeAll();
    await().atMost(WAIT).until(() -> worker.offsets(0).size() == 3);
    assertThat(mock.paused()).as("still replaying").containsOnly(P2);

    replayOf2.answer().complete();
    await().atMost(WAIT).until(() -> mock.paused().isEmpty());
  }

  @Test
  void aPauseAllOutlastsTheEndOfAReplay() {
    start();
    rebalanceTo(P0);
    Assigned replay = worker.nextAssigned();
    consumer.pauseAll();
    settle();

    replay.answer().complete();
    settle();
    mock.awaitPolls(1);
    assertThat(mock.paused()).as("the worker's pause is not lifted by a finished replay").containsOnly(P0);
  }

  @Test
  void fetchingPausesWhileTheWorkerIsBehindAndResumesWhenHalfIsTakenIn() throws Exception {
    // A worker context, so the worker can really be behind: its tasks run one after another and
    // onRecords blocks (bounded) on the gate. An event loop must never block.
    context = workerContext();
    int batch = RequestConsumer.MAX_OUTSTANDING / 4;
    mock.setMaxPollRecords(batch);
    start();
    assignReady(P0);
    worker.gate = new Semaphore(0);

    // All at once (inside a poll), so every poll takes a whole batch.
    mock.runInPoll(() -> add(records(TOPIC, 0, 0, 3L * RequestConsumer.MAX_OUTSTANDING / 2)));

    // Four batches handed over, none taken in: fetching stops at MAX_OUTSTANDING.
    await().atMost(WAIT).until(() -> mock.paused().equals(Set.of(P0)));
    mock.awaitPolls(2);
    assertThat(mock.position(P0)).isEqualTo(RequestConsumer.MAX_OUTSTANDING);

    takeInBatches(1); // 1,500 waiting
    assertThat(mock.paused()).containsOnly(P0);
    takeInBatches(2); // 1,000 waiting: not yet below half
    assertThat(mock.paused()).containsOnly(P0);
    assertThat(mock.position(P0)).isEqualTo(RequestConsumer.MAX_OUTSTANDING);

    takeInBatches(3); // 500 waiting
    await().atMost(WAIT).until(() -> mock.paused().isEmpty());

    worker.gate.release(10_000);
    await().atMost(WAIT).until(() -> worker.records.size() == 3 * RequestConsumer.MAX_OUTSTANDING / 2);
    assertThat(worker.offsets(0)).isSorted().doesNotHaveDuplicates();
  }

  /** Lets the worker take in batches until {@code done} are done, then lets the poll loop look twice. */
  private void takeInBatches(int done) {
    worker.gate.release(done - worker.batchesDone.get());
    await().atMost(WAIT).until(() -> worker.batchesDone.get() == done);
    mock.awaitPolls(2);
  }

  @Test
  void aFailedReplayKeepsThePartitionPausedEvenAfterResumeAll() {
    start();
    rebalanceTo(P0, P1);
    worker.nextAssigned().answer().fail("ledger unreadable");
    add(records(TOPIC, 0, 0, 2));
    settle();

    consumer.resumeAll();
    settle();

    assertThat(mock.paused()).containsOnly(P0, P1);
    assertThat(worker.records).isEmpty();
  }

  @Test
  void commitIsAsynchronousOnThePollThreadAndSkipsAnEmptyMap() {
    start();
    assignReady(P0);

    consumer.commit(Map.of());
    consumer.commit(Map.of(0, 5L));

    await().atMost(WAIT).until(() -> !mock.commits().isEmpty());
    mock.awaitPolls(1);
    assertThat(mock.commits()).containsExactly(new Commit(Map.of(P0, 5L), POLL_THREAD, false));
  }

  @Test
  void stopCommitsTheFinalPositionsSynchronouslyAndClosesTheConsumer() throws Exception {
    start();
    assignReady(P0, P1);

    consumer.stop(Map.of(0, 12L, 1, 3L), Duration.ofSeconds(5)).get(20, TimeUnit.SECONDS);
    consumer = null;

    assertThat(mock.commits()).containsExactly(new Commit(Map.of(P0, 12L, P1, 3L), POLL_THREAD, true));
    assertThat(mock.closed()).isTrue();
  }

  @Test
  void stopWithNothingToCommitStillCloses() throws Exception {
    start();
    assignReady(P0);

    consumer.stop(Map.of(), Duration.ofSeconds(5)).get(20, TimeUnit.SECONDS);
    consumer = null;

    assertThat(mock.commits()).isEmpty();
    assertThat(mock.closed()).isTrue();
  }

  private Context workerContext() {
    AtomicReference<Context> ref = new AtomicReference<>();
    Await.result(vertx.deployVerticle(new VerticleBase() {
      @Override
      public Future<?> start() {
        ref.set(context);
        return Future.succeededFuture();
      }
    }, new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER)));
    return ref.get();
  }

  private static <T> T next(BlockingQueue<T> queue, String what) {
    try {
      T item = queue.poll(20, TimeUnit.SECONDS);
      if (item == null) {
        throw new AssertionError(what + " not called within 20 s");
      }
      return item;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  private static void acquire(Semaphore gate) {
    try {
      if (!gate.tryAcquire(20, TimeUnit.SECONDS)) {
        throw new AssertionError("the test never let the worker take in this batch");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void awaitLatch(CountDownLatch latch) {
    try {
      if (!latch.await(20, TimeUnit.SECONDS)) {
        throw new AssertionError("the worker's context did not run a task within 20 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
