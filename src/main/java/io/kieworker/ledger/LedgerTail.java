package io.kieworker.ledger;

import io.kieworker.kafka.ConsumerThread;
import io.kieworker.metrics.MetricsSetup;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads the ledger partitions this instance owns, on a thread of its own ("kie-ledger-tail"): on
 * assignment it replays a partition from the beginning up to the end offset seen at that moment
 * (restoring pending tasks), then keeps tailing it to see callback records appended by other
 * instances. No consumer group: partitions are assigned by hand to mirror the request partitions.
 *
 * <p>Threading: the KafkaConsumer is touched only by the tail thread; public methods enqueue a
 * command. Listener methods run on the worker's context, in the order the records were read.
 */
public final class LedgerTail implements AutoCloseable {
  /** Called on the worker's context. */
  public interface Listener {
    /** Records of one partition; {@code replay} is true while restoring after assignment. */
    void onLedgerRecords(int partition, List<ConsumerRecord<String, byte[]>> records, boolean replay);

    /** Every record up to the end offset seen at assignment has been delivered. */
    void onReplayed(int partition);
  }

  private final String topic;
  private final org.apache.kafka.clients.consumer.Consumer<String, byte[]> consumer;
  private final Context context;
  private final Listener listener;
  private final ConsumerThread<String, byte[]> thread;

  // Tail-thread state: partition -> offset where its replay ends; assigned partitions whose end is not known yet.
  private final Map<TopicPartition, Long> replayEnds = new HashMap<>();
  private final Set<TopicPartition> awaitingReplayEnd = new HashSet<>();
  private final Set<TopicPartition> assigned = new HashSet<>();
  private final List<Barrier> newBarriers = new ArrayList<>();
  private final List<Barrier> barriers = new ArrayList<>();

  /**
   * Barriers asked for and not armed yet, one per partition: a barrier asked for while one of its
   * partition waits to be armed joins it (its end offset is read after both were asked for, so it
   * covers both). Written by the worker's context, taken by the tail thread when it arms them.
   */
  private final ConcurrentHashMap<Integer, Promise<Void>> unarmed = new ConcurrentHashMap<>();

  /** Completes once the tail has delivered every record written to the partition before it was asked. */
  private static final class Barrier {
    final TopicPartition partition;
    Promise<Void> promise;
    long target = -1;

    Barrier(TopicPartition partition) {
      this.partition = partition;
    }
  }

  public LedgerTail(Properties kafka, String topic, Context context, Listener listener) {
    this(new KafkaConsumer<>(consumerProperties(kafka)), topic, context, listener);
  }

  /** With a consumer made elsewhere (a MockConsumer in the unit tests); this class owns and closes it. */
  public LedgerTail(org.apache.kafka.clients.consumer.Consumer<String, byte[]> consumer, String topic,
      Context context, Listener listener) {
    this.topic = topic;
    this.context = context;
    this.listener = listener;
    this.consumer = consumer;
    this.thread = new ConsumerThread<>("kie-ledger-tail", consumer, this::pollOnce);
  }

  /** No group (partitions assigned by hand), no commits: the ledger is always read from the start. */
  static Properties consumerProperties(Properties kafka) {
    Properties props = new Properties();
    props.putAll(kafka);
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
    // A barrier's end-offsets request queues behind the fetch in flight on the same connection (a
    // broker answers one request per connection at a time), and a fetch with nothing new to read
    // waits fetch.max.wait.ms (default 500) before it answers: every create that hit that wait
    // left up to half a second late. 50 ms bounds that delay.
    props.putIfAbsent(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "50");
    return props;
  }

  public void start() {
    thread.start();
  }

  /** Kafka client metrics in {@code registry} until the consumer closes; call before {@link #start()}. */
  public void bindMetrics(MeterRegistry registry) {
    thread.metrics(MetricsSetup.bindConsumer(consumer, registry, "ledger"));
  }

  public void assign(Set<Integer> partitions) {
    command(c -> {
      Set<TopicPartition> added = new HashSet<>();
      partitions.forEach(p -> added.add(new TopicPartition(topic, p)));
      added.removeAll(assigned);
      if (added.isEmpty()) {
        return;
      }
      assigned.addAll(added);
      c.assign(assigned);
      c.seekToBeginning(added);
      awaitingReplayEnd.addAll(added);
      fetchReplayEnds(c);
      reportReplayed(c);
    });
  }

  /**
   * Captures where the replay of newly assigned partitions ends. Throws when the broker does not
   * answer; the partitions stay waiting and the next turn asks again before it polls, so no record
   * of such a partition is ever delivered before its replay end is known.
   */
  private void fetchReplayEnds(org.apache.kafka.clients.consumer.Consumer<String, byte[]> c) {
    if (awaitingReplayEnd.isEmpty()) {
      return;
    }
    Map<TopicPartition, Long> ends = c.endOffsets(awaitingReplayEnd, Duration.ofSeconds(30));
    replayEnds.putAll(ends);
    awaitingReplayEnd.clear();
  }

  /**
   * Completes (on the worker's context) after every ledger record of {@code partition} written
   * before this call has been handed to the listener; fails if the partition is not assigned. The
   * worker uses it as a fence: after writing a record and passing the barrier, it has seen any
   * newer owner's OWNERSHIP record that precedes its own write.
   */
  public Future<Void> barrier(int partition) {
    Promise<Void> fresh = Promise.promise();
    Promise<Void> waiting = unarmed.putIfAbsent(partition, fresh);
    if (waiting != null) {
      return waiting.future();
    }
    command(c -> newBarriers.add(new Barrier(new TopicPartition(topic, partition))));
    return fresh.future();
  }

  public void unassign(Set<Integer> partitions) {
    command(c -> {
      partitions.forEach(p -> {
        TopicPartition tp = new TopicPartition(topic, p);
        assigned.remove(tp);
        replayEnds.remove(tp);
        awaitingReplayEnd.remove(tp);
      });
      c.assign(assigned);
      // Here, not in the turn: with no partition left the turn stops polling, and the barrier would hang.
      failUnassignedBarriers();
    });
  }

  @Override
  public void close() {
    thread.stop();
  }

  private void command(Consumer<org.apache.kafka.clients.consumer.Consumer<String, byte[]>> command) {
    thread.command(command);
  }

  /** One turn of the tail's thread: barriers armed, records delivered, replays and barriers passed. */
  private void pollOnce(org.apache.kafka.clients.consumer.Consumer<String, byte[]> c) {
    fetchReplayEnds(c);
    armBarriers(c);
    if (assigned.isEmpty()) {
      ConsumerThread.pause(20);
      return;
    }
    ConsumerRecords<String, byte[]> records = c.poll(Duration.ofMillis(barriers.isEmpty() ? 20 : 5));
    for (TopicPartition tp : records.partitions()) {
      List<ConsumerRecord<String, byte[]>> batch = new ArrayList<>(records.records(tp));
      boolean replay = replayEnds.containsKey(tp);
      int partition = tp.partition();
      context.runOnContext(v -> listener.onLedgerRecords(partition, batch, replay));
    }
    reportReplayed(c);
    passBarriers(c);
  }

  /**
   * One end-offsets request serves every barrier asked for since the last loop. Each barrier leaves
   * {@link #unarmed} before the end offsets are read: one asked for later is a new barrier.
   */
  private void armBarriers(org.apache.kafka.clients.consumer.Consumer<String, byte[]> c) {
    if (newBarriers.isEmpty()) {
      return;
    }
    Set<TopicPartition> wanted = new HashSet<>();
    for (Barrier b : newBarriers) {
      if (b.promise == null) { // null unless a failed end-offsets request left it here to retry
        b.promise = unarmed.remove(b.partition.partition());
      }
      if (assigned.contains(b.partition)) {
        wanted.add(b.partition);
      } else {
        context.runOnContext(v -> b.promise.tryFail("ledger partition " + b.partition + " is not assigned"));
      }
    }
    Map<TopicPartition, Long> ends = wanted.isEmpty() ? Map.of() : c.endOffsets(wanted, Duration.ofSeconds(30));
    for (Barrier b : newBarriers) {
      Long end = ends.get(b.partition);
      if (end != null) {
        b.target = end;
        barriers.add(b);
      }
    }
    newBarriers.clear();
  }

  private void failUnassignedBarriers() {
    for (var it = barriers.iterator(); it.hasNext(); ) {
      Barrier b = it.next();
      if (!assigned.contains(b.partition)) {
        it.remove();
        context.runOnContext(v -> b.promise.tryFail("ledger partition " + b.partition + " was unassigned"));
      }
    }
  }

  /** Every barrier's partition is assigned here: unassign() fails the others, armBarriers() never adds them. */
  private void passBarriers(org.apache.kafka.clients.consumer.Consumer<String, byte[]> c) {
    for (var it = barriers.iterator(); it.hasNext(); ) {
      Barrier b = it.next();
      if (c.position(b.partition, Duration.ofSeconds(30)) >= b.target) {
        it.remove();
        // Queued after the records delivered above: the listener has seen them when this runs.
        context.runOnContext(v -> b.promise.tryComplete());
      }
    }
  }

  /** Announces the partitions whose position reached the end offset captured at assignment. */
  private void reportReplayed(org.apache.kafka.clients.consumer.Consumer<String, byte[]> c) {
    for (var it = replayEnds.entrySet().iterator(); it.hasNext(); ) {
      var entry = it.next();
      if (c.position(entry.getKey(), Duration.ofSeconds(30)) >= entry.getValue()) {
        it.remove();
        int partition = entry.getKey().partition();
        context.runOnContext(v -> listener.onReplayed(partition));
      }
    }
  }
}
