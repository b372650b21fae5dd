package io.kieworker.kafka;

import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Kafka consumer confined to a thread of its own (a {@code KafkaConsumer}, or a
 * {@code MockConsumer} in the unit tests). Other threads hand it commands, which run
 * between two polls. Errors of one loop turn are logged and the loop goes on after a pause (broker
 * trouble surfaces here as timeouts); {@link #stop()} ends it and closes the consumer.
 *
 * <p>No {@code consumer.wakeup()}: a wakeup aborts whatever blocking call comes next on the
 * thread, which may be a command or a commit inside a rebalance callback. Commands wait for the
 * current poll to return instead, so polls are kept short (tens of ms).
 */
public final class ConsumerThread<K, V> {
  private static final Logger LOG = LoggerFactory.getLogger(ConsumerThread.class);
  private static final long ERROR_PAUSE_MS = 1_000;

  private final org.apache.kafka.clients.consumer.Consumer<K, V> consumer;
  private final Consumer<org.apache.kafka.clients.consumer.Consumer<K, V>> turn;
  private final ConcurrentLinkedQueue<Consumer<org.apache.kafka.clients.consumer.Consumer<K, V>>> commands = new ConcurrentLinkedQueue<>();
  private final Thread thread;
  private final CompletableFuture<Void> stopped = new CompletableFuture<>();
  private volatile boolean running = true;
  private volatile KafkaClientMetrics metrics;

  /** @param turn one loop turn (typically a poll), run on the consumer's thread after the commands */
  public ConsumerThread(String name, org.apache.kafka.clients.consumer.Consumer<K, V> consumer, Consumer<org.apache.kafka.clients.consumer.Consumer<K, V>> turn) {
    this.consumer = consumer;
    this.turn = turn;
    this.thread = new Thread(this::loop, name);
    this.thread.setDaemon(true);
  }

  public org.apache.kafka.clients.consumer.Consumer<K, V> consumer() {
    return consumer;
  }

  public void metrics(KafkaClientMetrics metrics) {
    this.metrics = metrics;
  }

  public void start() {
    thread.start();
  }

  /** Runs {@code command} on the consumer's thread before the next turn. Any thread. */
  public void command(Consumer<org.apache.kafka.clients.consumer.Consumer<K, V>> command) {
    commands.add(command);
  }

  /** Ends the loop after the commands already queued; the consumer is then closed. */
  public CompletableFuture<Void> stop() {
    command(c -> running = false);
    return stopped;
  }

  public boolean hasCommands() {
    return !commands.isEmpty();
  }

  private void loop() {
    while (running) {
      try {
        Consumer<org.apache.kafka.clients.consumer.Consumer<K, V>> command;
        while (running && (command = commands.poll()) != null) {
          command.accept(consumer);
        }
        if (running) {
          turn.accept(consumer);
        }
      } catch (RuntimeException e) {
        LOG.warn("{}: {}; retrying in {} ms", thread.getName(), e.toString(), ERROR_PAUSE_MS);
        pause(ERROR_PAUSE_MS);
      }
    }
    try {
      consumer.close(Duration.ofSeconds(5));
    } catch (RuntimeException e) {
      LOG.warn("Closing {}: {}", thread.getName(), e.toString());
    }
    if (metrics != null) {
      metrics.close();
    }
    stopped.complete(null);
  }

  /** Sleeps the consumer's own thread (never an event loop). */
  public static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
