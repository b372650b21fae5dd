package io.kieworker.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.common.TopicPartition;

/**
 * A {@link MockConsumer} for the unit tier, driven from a test thread while a consumer thread polls it.
 *
 * <p>Adds what MockConsumer lacks: every commit is recorded with its thread (MockConsumer's own
 * {@code committed()} answers 0 for a partition no longer assigned, so it cannot show what a revoke
 * committed), the group rebalance listener is kept (MockConsumer never calls
 * {@code onPartitionsLost}), and an empty poll idles a few ms instead of spinning a core.
 *
 * <p>Threading: MockConsumer's methods are synchronized, and a rebalance callback runs inside a
 * synchronized poll. While a callback blocks (RequestConsumer waits for the worker's answer there),
 * a test must not call the consumer; the recorded commits are safe to read at any time.
 */
public class TestConsumer extends MockConsumer<String, byte[]> {
  /** One commit: the offsets, the thread that made it, whether it was synchronous. */
  public record Commit(Map<TopicPartition, Long> offsets, String thread, boolean sync) {}

  private final List<Commit> commits = new CopyOnWriteArrayList<>();
  private volatile ConsumerRebalanceListener groupListener;
  private final ThreadLocal<Boolean> inCommitSync = ThreadLocal.withInitial(() -> false);

  public TestConsumer() {
    this(OffsetResetStrategy.EARLIEST);
  }

  /** {@code LATEST} is a plain KafkaConsumer's default: a test then sees whether the code seeks itself. */
  public TestConsumer(OffsetResetStrategy reset) {
    super(reset);
  }

  /** Unsynchronized on purpose: the idle sleep must not hold the monitor the test thread needs. */
  @Override
  public ConsumerRecords<String, byte[]> poll(Duration timeout) {
    ConsumerRecords<String, byte[]> records = super.poll(timeout);
    if (records.isEmpty()) {
      try {
        Thread.sleep(Math.min(2, timeout.toMillis()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return records;
  }

  @Override
  public synchronized void subscribe(Collection<String> topics, ConsumerRebalanceListener listener) {
    groupListener = listener;
    super.subscribe(topics, listener);
  }

  @Override
  public void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets, Duration timeout) {
    commits.add(new Commit(plain(offsets), Thread.currentThread().getName(), true));
    inCommitSync.set(true);
    try {
      super.commitSync(offsets, timeout);
    } finally {
      inCommitSync.set(false);
    }
  }

  /** MockConsumer's commitSync is a commitAsync underneath: that one is not counted twice. */
  @Override
  public synchronized void commitAsync(Map<TopicPartition, OffsetAndMetadata> offsets,
      org.apache.kafka.clients.consumer.OffsetCommitCallback callback) {
    if (!inCommitSync.get()) {
      commits.add(new Commit(plain(offsets), Thread.currentThread().getName(), false));
    }
    super.commitAsync(offsets, callback);
  }

  public List<Commit> commits() {
    return List.copyOf(commits);
  }

  /** The listener given to {@code subscribe}, to call {@code onPartitionsLost} from a poll task. */
  public ConsumerRebalanceListener groupListener() {
    return groupListener;
  }

  /** Runs {@code task} on the polling thread inside its next poll() and waits (bounded) until it ran. */
  public void runInPoll(Runnable task) {
    CountDownLatch ran = new CountDownLatch(1);
    schedulePollTask(() -> {
      task.run();
      ran.countDown();
    });
    await(ran, "a poll task");
  }

  /**
   * Waits until the poll loop has gone round {@code polls} more times. One poll task runs per
   * poll, at its start; two of them in a row prove that a whole poll (and whatever the loop did
   * with its records) finished after this call.
   */
  public void awaitPolls(int polls) {
    for (int i = 0; i < polls; i++) {
      runInPoll(() -> {});
    }
  }

  public static ConsumerRecord<String, byte[]> record(String topic, int partition, long offset) {
    return new ConsumerRecord<>(topic, partition, offset, "k" + offset, ("v" + offset).getBytes());
  }

  public static List<ConsumerRecord<String, byte[]>> records(String topic, int partition, long from, long to) {
    List<ConsumerRecord<String, byte[]>> list = new ArrayList<>();
    for (long o = from; o < to; o++) {
      list.add(record(topic, partition, o));
    }
    return list;
  }

  private static Map<TopicPartition, Long> plain(Map<TopicPartition, OffsetAndMetadata> offsets) {
    Map<TopicPartition, Long> plain = new HashMap<>();
    offsets.forEach((tp, o) -> plain.put(tp, o.offset()));
    return Map.copyOf(plain);
  }

  private static void await(CountDownLatch latch, String what) {
    try {
      if (!latch.await(20, TimeUnit.SECONDS)) {
        throw new AssertionError(what + " did not run within 20 s (is the poll loop stuck?)");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
