package io.kieworker.tracking;

import io.vertx.core.Vertx;
import java.util.PriorityQueue;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * Due-time queue for status polls with one Vert.x timer for the earliest entry (100,000 pending
 * tasks cost one timer, not 100,000), drained under the {@link PollBudget}. Entries are never
 * removed early: a task that was rescheduled or finished carries a new generation and its stale
 * entries are skipped when they come due.
 *
 * <p>Event-loop confined.
 */
public final class PollScheduler<T> {
  private record Entry<T>(long dueAt, long generation, T task) {}

  /** Reads a task's current poll generation. */
  public interface Generation<T> {
    long of(T task);
  }

  private final Vertx vertx;
  private final PollBudget budget;
  private final LongSupplier clock;
  private final Generation<T> generation;
  private final Consumer<T> poll;
  private final LongConsumer lateness;
  private final ReadPrice price;
  private final PriorityQueue<Entry<T>> queue = new PriorityQueue<>((a, b) -> Long.compare(a.dueAt, b.dueAt));
  private long timerId = -1;
  private long timerAt = Long.MAX_VALUE;

  /**
   * @param lateness receives, for every poll started, how many ms after its due time it started
   * @param price told of every read started and of every due read the budget held back
   */
  public PollScheduler(Vertx vertx, PollBudget budget, ReadPrice price, LongSupplier clock,
      Generation<T> generation, Consumer<T> poll, LongConsumer lateness) {
    this.vertx = vertx;
    this.budget = budget;
    this.clock = clock;
    this.generation = generation;
    this.poll = poll;
    this.lateness = lateness;
    this.price = price;
  }

  /** Polls {@code task} at {@code dueAt} if its generation is still {@code gen} then. */
  public void schedule(T task, long gen, long dueAt) {
    queue.add(new Entry<>(dueAt, gen, task));
    arm();
  }

  public int size() {
    return queue.size();
  }

  private void arm() {
    Entry<T> head = queue.peek();
    if (head == null) {
      return;
    }
    long now = clock.getAsLong();
    long at = Math.max(head.dueAt, budget.nextTokenAt(now));
    if (timerId >= 0 && at >= timerAt) {
      return;
    }
    if (timerId >= 0) {
      vertx.cancelTimer(timerId);
    }
    timerAt = at;
    timerId = vertx.setTimer(Math.max(1, at - now), id -> {
      timerId = -1;
      timerAt = Long.MAX_VALUE;
      drain();
    });
  }

  private void drain() {
    long now = clock.getAsLong();
    Entry<T> head;
    while ((head = queue.peek()) != null && head.dueAt <= now) {
      if (head.generation != generation.of(head.task)) {
        queue.poll();
        continue;
      }
      if (!budget.tryTake(now)) {
        price.heldBack(now);
        break;
      }
      queue.poll();
      lateness.accept(now - head.dueAt);
      price.read(now);
      poll.accept(head.task);
    }
    arm();
  }
}
