package io.kieworker.kafka;

import io.kieworker.metrics.MetricsSetup;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The request topic's group consumer, on a thread of its own ("kie-requests-poll").
 *
 * <p>Why not Vert.x's KafkaConsumer: its rebalance handlers run on the event loop after Kafka's
 * callback has returned, so a commit cannot happen before a partition is lost, and a newly assigned
 * partition cannot be held back until its ledger is replayed. Here the rebalance callbacks run on
 * the poll thread and wait (bounded) for the worker's answer, which is exactly what the ledger
 * protocol needs. Everything else reaches the worker through {@link Context#runOnContext}.
 *
 * <p>Threading: the KafkaConsumer is touched only by the poll thread. Public methods may be called
 * from any thread; they enqueue a command and wake the poll up.
 */
public final class RequestConsumer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RequestConsumer.class);
  /** How long a rebalance callback waits for the worker; under max.poll.interval.ms by far. */
  private static final long REBALANCE_WAIT_MS = 20_000;
  /** How long reading a new partition's position and end offset may take inside the rebalance callback. */
  private static final java.time.Duration BACKLOG_TIMEOUT = java.time.Duration.ofSeconds(3);

  /** What the worker does; every method is called on the worker's context. */
  public interface Listener {
    /** New partitions: completes when their ledger is replayed; until then they stay paused. */
    Future<Void> onAssigned(Set<Integer> partitions);

    /** Partitions are going: drop their work and answer the offsets to commit for them. */
    Future<Map<Integer, Long>> onRevoked(Set<Integer> partitions, boolean lost);

    void onRecords(List<ConsumerRecord<String, byte[]>> records);

    /**
     * Called just before {@link #onAssigned}: for each new partition, the offset the group's reading
     * resumes from and the partition's end offset at assignment (partitions whose offsets could not
     * be read within a few seconds are left out). The records in between were produced before the
     * assignment (a cancel among them must be read before the restored queue is created from).
     */
    default void onBacklog(Map<Integer, Long> readFrom, Map<Integer, Long> endAt) {}
  }

  private final String topic;
  private final org.apache.kafka.clients.consumer.Consumer<String, byte[]> consumer;
  private final Context context;
  private final Listener listener;
  private final ConsumerThread<String, byte[]> thread;

  // Poll-thread state.
  private final Set<TopicPartition> assigned = new HashSet<>();
  private final Set<TopicPartition> replaying = new HashSet<>();
  private boolean pausedByWorker;
  /** Set while too many records wait on the event loop; the partitions pause until it catches up. */
  private boolean throttled;
  /** Records handed to the event loop and not yet taken in by the worker. Any thread. */
  private final AtomicInteger outstanding = new AtomicInteger();
  /**
   * How far the poll thread may run ahead of the worker. Without a bound it keeps fetching while
   * the event loop is busy, and the worker's own pause (backpressure at WORKER_MAX_PENDING) lands
   * tens of thousands of records late.
   */
  static final int MAX_OUTSTANDING = 2_000;

  public RequestConsumer(
      Properties kafka, String groupId, String groupInstanceId, String topic, Context context, Listener listener) {
    this(new KafkaConsumer<>(consumerProperties(kafka, groupId, groupInstanceId)), topic, context, listener);
  }

  /** With a consumer made elsewhere (a MockConsumer in the unit tests); this class owns and closes it. */
  public RequestConsumer(org.apache.kafka.clients.consumer.Consumer<String, byte[]> consumer, String topic,
      Context context, Listener listener) {
    this.topic = topic;
    this.context = context;
    this.listener = listener;
    this.consumer = consumer;
    this.thread = new ConsumerThread<>("kie-requests-poll", consumer, this::pollOnce);
    thread.command(c -> c.subscribe(List.of(topic), rebalanceListener));
  }

  /** The request consumer's settings: the pass-through {@code kafka} map, then what this class relies on. */
  static Properties consumerProperties(Properties kafka, String groupId, String groupInstanceId) {
    Properties props = new Properties();
    props.putAll(kafka);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    if (groupInstanceId != null && !groupInstanceId.isBlank()) {
      props.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, groupInstanceId);
    }
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
    props.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "500");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    // Bytes, not JSON: a poison payload must reach the worker (and the DLQ), never kill the poll loop.
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    return props;
  }

  public void start() {
    thread.start();
  }

  /** Kafka client metrics in {@code registry} until the consumer closes; call before {@link #start()}. */
  public void bindMetrics(MeterRegistry registry) {
    thread.metrics(MetricsSetup.bindConsumer(consumer, registry, "requests"));
  }

  /** Pause every assigned partition (backpressure, credits, auth, shutdown); polling goes on. */
  public void pauseAll() {
    command(c -> {
      pausedByWorker = true;
      applyPauses(c);
    });
  }

  public void resumeAll() {
    command(c -> {
      pausedByWorker = false;
      applyPauses(c);
    });
  }

  public void commit(Map<Integer, Long> positions) {
    commit(positions, failed -> { });
  }

  /** Commits asynchronously; {@code failed} is told (on the worker's context) of positions not committed. */
  public void commit(Map<Integer, Long> positions, java.util.function.Consumer<Map<Integer, Long>> failed) {
    if (positions.isEmpty()) {
      return;
    }
    command(c -> c.commitAsync(toOffsets(positions), (offsets, error) -> {
      if (error != null) {
        LOG.warn("Commit of {} failed: {}; handed out again at the next commit", offsets, error.toString());
        context.runOnContext(v -> failed.accept(positions));
      }
    }));
  }

  /** Commits synchronously, leaves the group and stops the thread; waits at most {@code timeout}. */
  public CompletableFuture<Void> stop(Map<Integer, Long> finalPositions, Duration timeout) {
    command(c -> {
      if (!finalPositions.isEmpty()) {
        try {
          c.commitSync(toOffsets(finalPositions), timeout);
        } catch (RuntimeException e) {
          LOG.warn("Final commit failed: {}", e.toString());
        }
      }
    });
    return thread.stop();
  }

  @Override
  public void close() {
    thread.stop();
  }

  private void command(Consumer<org.apache.kafka.clients.consumer.Consumer<String, byte[]>> command) {
    thread.command(command);
  }

  private void pollOnce(org.apache.kafka.clients.consumer.Consumer<String, byte[]> c) {
    throttle(c);
    ConsumerRecords<String, byte[]> records = c.poll(Duration.ofMillis(50));
    if (!records.isEmpty()) {
      List<ConsumerRecord<String, byte[]>> batch = new ArrayList<>(records.count());
      records.forEach(batch::add);
      outstanding.addAndGet(batch.size());
      context.runOnContext(v -> {
        try {
          listener.onRecords(batch);
        } finally {
          outstanding.addAndGet(-batch.size());
        }
      });
    }
  }

  /** Pauses fetching while the worker is behind, resumes once it has taken in half of it. */
  private void throttle(org.apache.kafka.clients.consumer.Consumer<String, byte[]> c) {
    int waiting = outstanding.get();
    if (!throttled && waiting >= MAX_OUTSTANDING) {
      throttled = true;
      applyPauses(c);
    } else if (throttled && waiting < MAX_OUTSTANDING / 2) {
      throttled = false;
      applyPauses(c);
    }
  }

  private void applyPauses(org.apache.kafka.clients.consumer.Consumer<String, byte[]> c) {
    Set<TopicPartition> pause = new HashSet<>(pausedByWorker || throttled ? assigned : replaying);
    pause.retainAll(assigned);
    Set<TopicPartition> resume = new HashSet<>(assigned);
    resume.removeAll(pause);
    c.pause(pause);
    c.resume(resume);
  }

  private final ConsumerRebalanceListener rebalanceListener = new ConsumerRebalanceListener() {
    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      // Called with an empty set too: the worker learns it has joined the group (readiness).
      assigned.addAll(partitions);
      replaying.addAll(partitions);
      // Paused before the first fetch: no new request is read before the ledger is replayed.
      applyPauses(consumer);
      Set<Integer> numbers = numbers(partitions);
      LOG.info("Assigned request partitions {}", numbers);
      Map<Integer, Long> readFrom = new HashMap<>();
      Map<Integer, Long> endAt = new HashMap<>();
      backlog(partitions, readFrom, endAt);
      context.runOnContext(v -> listener.onBacklog(readFrom, endAt));
      context.runOnContext(v -> listener.onAssigned(numbers).onComplete(ar -> command(c -> {
        if (ar.failed()) {
          LOG.error("Ledger replay for {} failed; they stay paused", numbers, ar.cause());
          return;
        }
        replaying.removeAll(partitions);
        applyPauses(c);
      })));
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      handOver(partitions, false);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      handOver(partitions, true);
    }
  };

  /** Runs on the poll thread inside poll(): waits for the worker, then commits synchronously. */
  private void handOver(Collection<TopicPartition> partitions, boolean lost) {
    if (partitions.isEmpty()) {
      return;
    }
    assigned.removeAll(partitions);
    replaying.removeAll(partitions);
    Set<Integer> numbers = numbers(partitions);
    LOG.info("{} request partitions {}", lost ? "Lost" : "Revoked", numbers);
    CompletableFuture<Map<Integer, Long>> answer = new CompletableFuture<>();
    context.runOnContext(v -> listener.onRevoked(numbers, lost).onComplete(ar -> {
      if (ar.succeeded()) {
        answer.complete(ar.result());
      } else {
        answer.completeExceptionally(ar.cause());
      }
    }));
    try {
      Map<Integer, Long> positions = answer.get(REBALANCE_WAIT_MS, TimeUnit.MILLISECONDS);
      if (!lost && !positions.isEmpty()) {
        consumer.commitSync(toOffsets(positions), Duration.ofSeconds(10));
      }
    } catch (Exception e) {
      LOG.warn("Hand-over of {} incomplete: {}", numbers, e.toString());
    }
  }

  private Map<TopicPartition, OffsetAndMetadata> toOffsets(Map<Integer, Long> positions) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    positions.forEach((p, o) -> offsets.put(new TopicPartition(topic, p), new OffsetAndMetadata(o)));
    return offsets;
  }

  /** Positions and end offsets of new partitions (poll thread; bounded: a partition that times out is left out). */
  private void backlog(Collection<TopicPartition> partitions, Map<Integer, Long> readFrom, Map<Integer, Long> endAt) {
    if (partitions.isEmpty()) {
      return;
    }
    try {
      consumer.endOffsets(partitions, BACKLOG_TIMEOUT).forEach((tp, end) -> endAt.put(tp.partition(), end));
      for (TopicPartition tp : partitions) {
        readFrom.put(tp.partition(), consumer.position(tp, BACKLOG_TIMEOUT));
      }
    } catch (RuntimeException e) {
      LOG.warn("Offsets of new partitions {} not known ({}); their restored queues wait a few seconds instead",
          numbers(partitions), e.toString());
      readFrom.clear();
      endAt.clear();
    }
  }

  private static Set<Integer> numbers(Collection<TopicPartition> partitions) {
    Set<Integer> numbers = new HashSet<>();
    partitions.forEach(tp -> numbers.add(tp.partition()));
    return numbers;
  }
}
