package io.kieworker.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.kieworker.testing.TestConsumer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The consumer's own thread: commands between turns, errors survived, an orderly stop. */
@Tag("unit")
class ConsumerThreadTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  private final TestConsumer consumer = new TestConsumer();
  private final List<String> log = new CopyOnWriteArrayList<>();
  private ConsumerThread<String, byte[]> thread;

  @AfterEach
  void stop() throws Exception {
    if (thread != null) {
      thread.stop().get(20, TimeUnit.SECONDS);
    }
  }

  private void command(String name) {
    thread.command(c -> log.add(name + "@" + Thread.currentThread().getName()));
  }

  @Test
  void commandsRunInOrderOnTheConsumersThreadAndNeverDuringATurn() throws Exception {
    CountDownLatch inFirstTurn = new CountDownLatch(1);
    CountDownLatch releaseFirstTurn = new CountDownLatch(1);
    AtomicInteger turns = new AtomicInteger();
    thread = new ConsumerThread<>("test-consumer", consumer, c -> {
      int turn = turns.incrementAndGet();
      if (turn == 1) {
        log.add("turn-start");
        inFirstTurn.countDown();
        awaitLatch(releaseFirstTurn);
        log.add("turn-end");
      }
    });
    command("a");
    command("b");
    thread.start();
    assertThat(inFirstTurn.await(20, TimeUnit.SECONDS)).isTrue();
    command("c");
    command("d");
    releaseFirstTurn.countDown();

    await().atMost(WAIT).until(() -> log.size() == 6);
    assertThat(log).containsExactly(
        "a@test-consumer", "b@test-consumer", "turn-start", "turn-end", "c@test-consumer", "d@test-consumer");
    assertThat(thread.hasCommands()).isFalse();
  }

  @Test
  void aFailingTurnIsLoggedAndTheLoopGoesOn() {
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    Logger logger = (Logger) LoggerFactory.getLogger(ConsumerThread.class);
    appender.start();
    logger.addAppender(appender);
    try {
      AtomicInteger turns = new AtomicInteger();
      thread = new ConsumerThread<>("test-consumer", consumer, c -> {
        if (turns.incrementAndGet() == 1) {
          throw new IllegalStateException("broker said no");
        }
      });
      thread.start();

      await().atMost(WAIT).until(() -> turns.get() >= 3);
      command("after");
      await().atMost(WAIT).until(() -> log.contains("after@test-consumer"));
      assertThat(appender.list).anySatisfy(e -> assertThat(e.getFormattedMessage())
          .contains("test-consumer").contains("broker said no"));
      assertThat(consumer.closed()).isFalse();
    } finally {
      logger.detachAppender(appender);
    }
  }

  @Test
  void aFailingCommandDoesNotStopTheLoopNorTheCommandsAfterIt() {
    thread = new ConsumerThread<>("test-consumer", consumer, c -> {});
    thread.command(c -> {
      throw new IllegalStateException("bad command");
    });
    command("next");
    thread.start();

    await().atMost(WAIT).until(() -> log.contains("next@test-consumer"));
  }

  @Test
  void stopRunsTheQueuedCommandsThenClosesTheConsumer() throws Exception {
    AtomicInteger turnsAfterStop = new AtomicInteger();
    CountDownLatch started = new CountDownLatch(1);
    thread = new ConsumerThread<>("test-consumer", consumer, c -> {
      started.countDown();
      if (consumer.closed()) {
        turnsAfterStop.incrementAndGet();
      }
    });
    thread.start();
    assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();

    // Queued in one go, so no turn can come between them and the stop.
    thread.command(c -> {
      log.add("first");
      command("queued-by-a-command");
    });
    command("second");
    var stopped = thread.stop();
    command("after-stop");

    stopped.get(20, TimeUnit.SECONDS);
    assertThat(log).containsExactly("first", "second@test-consumer");
    assertThat(consumer.closed()).isTrue();
    assertThat(turnsAfterStop).hasValue(0);
  }

  @Test
  void stopCompletesEvenWhenClosingTheConsumerFails() throws Exception {
    TestConsumer failingClose = new TestConsumer() {
      @Override
      public synchronized void close(Duration timeout) {
        throw new IllegalStateException("close failed");
      }
    };
    thread = new ConsumerThread<>("test-consumer", failingClose, c -> {});
    thread.start();

    thread.stop().get(20, TimeUnit.SECONDS);
    thread = null;
  }

  private static void awaitLatch(CountDownLatch latch) {
    try {
      if (!latch.await(20, TimeUnit.SECONDS)) {
        throw new AssertionError("latch not released within 20 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
