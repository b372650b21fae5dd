package io.kieworker.ledger;

import io.vertx.core.Context;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
  private static final Logger LOG = LoggerFactory.getLogger(LedgerTail.class);

  /** Called on the worker's context. */
  public interface Listener {
    /** Records of one partition; {@code replay} is true while restoring after assignment. */
    void onLedgerRecords(int partition, List<ConsumerRecord<String, byte[]>> records, boolean replay);

    /** Every record up to the end offset seen at assignment has been delivered. */
    void onReplayed(int partition);
  }

  private final String topic;
  private final KafkaConsumer<String, byte[]> consumer;
  private final Context context;
  private final Listener listener;
  private final ConcurrentLinkedQueue<Consumer<KafkaConsumer<String, byte[]>>> commands = new ConcurrentLinkedQueue<>();
  private final Thread thread;
  private volatile boolean running = true;

  // Tail-thread state: partition -> offset where its replay ends.
  private final Map<TopicPartition, Long> replayEnds = new HashMap<>();
  private final Set<TopicPartition> assigned = new HashSet<>();

  public LedgerTail(Properties kafka, String topic, Context context, Listener listener) {
    this.topic = topic;
    this.context = context;
    this.listener = listener;
    Properties props = new Properties();
    props.putAll(kafka);
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
    this.consumer = new KafkaConsumer<>(props);
    this.thread = new Thread(this::loop, "kie-ledger-tail");
    this.thread.setDaemon(true);
  }

  public void start() {
    thread.start();
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
      Map<TopicPartition, Long> ends = c.endOffsets(added, Duration.ofSeconds(30));
      replayEnds.putAll(ends);
      reportReplayed(c);
    });
  }

  public void unassign(Set<Integer> partitions) {
    command(c -> {
      partitions.forEach(p -> {
        TopicPartition tp = new TopicPartition(topic, p);
        assigned.remove(tp);
        replayEnds.remove(tp);
      });
      c.assign(assigned);
    });
  }

  @Override
  public void close() {
    running = false;
  }

  private void command(Consumer<KafkaConsumer<String, byte[]>> command) {
    // No consumer.wakeup(): a wakeup can abort a blocking call inside the next command (or a commit
    // inside a rebalance callback). Commands wait for the current poll instead, 100 ms at most.
    commands.add(command);
  }

  private void loop() {
    try {
      while (running) {
        runCommands();
        if (assigned.isEmpty()) {
          waitForCommand();
          continue;
        }
        ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(100));
        for (TopicPartition tp : records.partitions()) {
          List<ConsumerRecord<String, byte[]>> batch = new ArrayList<>(records.records(tp));
          boolean replay = replayEnds.containsKey(tp);
          int partition = tp.partition();
          context.runOnContext(v -> listener.onLedgerRecords(partition, batch, replay));
        }
        reportReplayed(consumer);
      }
    } catch (RuntimeException e) {
      LOG.error("Ledger tail stopped on an error", e);
    } finally {
      try {
        consumer.close(Duration.ofSeconds(5));
      } catch (RuntimeException e) {
        LOG.warn("Closing the ledger tail: {}", e.toString());
      }
    }
  }

  /** Announces the partitions whose position reached the end offset captured at assignment. */
  private void reportReplayed(KafkaConsumer<String, byte[]> c) {
    for (var it = replayEnds.entrySet().iterator(); it.hasNext(); ) {
      var entry = it.next();
      if (c.position(entry.getKey(), Duration.ofSeconds(30)) >= entry.getValue()) {
        it.remove();
        int partition = entry.getKey().partition();
        context.runOnContext(v -> listener.onReplayed(partition));
      }
    }
  }

  private void runCommands() {
    Consumer<KafkaConsumer<String, byte[]>> command;
    while ((command = commands.poll()) != null) {
      command.accept(consumer);
    }
  }

  private void waitForCommand() {
    synchronized (this) {
      try {
        if (commands.isEmpty() && running) {
          wait(100);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        running = false;
      }
    }
  }
}
