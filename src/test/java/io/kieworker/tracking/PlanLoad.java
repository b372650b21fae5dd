package io.kieworker.tracking;

import io.kieworker.kie.TaskState;
import java.time.Duration;
import java.util.Arrays;
import java.util.PriorityQueue;
import java.util.Random;

/**
 * A discrete-event run of the poll plan under its budget, on a simulated clock: tasks arrive at a
 * fixed pace with uniform durations, each read takes a token of the {@link PollBudget} (waiting for
 * one when there is none) and tells the {@link ReadPrice}; a finished task teaches the plan like
 * the tracker does. Phases mimic the simulator's (queuing from 10 %, generating from 25 % of the
 * duration) unless {@code phases} is off.
 */
final class PlanLoad {
  static final String MODEL = "m";

  record Outcome(double readsPerTask, long p50, long p99, double readsPerSecond, double price) {}

  static boolean DEBUG = false;

  /** A read of {@code task} due at {@code due}; {@code due} < 0: the task arrives. */
  private record Event(long at, int task, long due) {}

  private final long minGap = 1000;
  private final Duration expected = Duration.ofSeconds(15);
  private final CompletionTimes times = new CompletionTimes();
  private final PhaseTimes phaseTimes = new PhaseTimes();
  private final boolean phases;
  private final ReadPrice price;
  private final PollBudget budget;
  private final PollPlan plan;

  PlanLoad(double readsPerSecond, Duration target, boolean phases) {
    this.phases = phases;
    this.price = new ReadPrice(minGap, readsPerSecond, 0);
    this.budget = new PollBudget(readsPerSecond, 0);
    this.plan = new PollPlan(times, phaseTimes, price, Duration.ofMillis(minGap), Duration.ofSeconds(30), target,
        false, () -> 0.0);
  }

  /** Durations already learned, as the ledger replay brings them. */
  PlanLoad learned(long[] durations) {
    for (long d : durations) {
      times.record(MODEL, d);
    }
    return this;
  }

  static long[] uniform(int n, long min, long max, long seed) {
    Random random = new Random(seed);
    long[] d = new long[n];
    for (int i = 0; i < n; i++) {
      d[i] = min + (long) (random.nextDouble() * (max - min));
    }
    return d;
  }

  /** {@code n} tasks arriving every {@code every} ms, durations from {@code durations}. */
  Outcome run(int n, long every, long[] durations) {
    long[] submitted = new long[n];
    int[] reads = new int[n];
    long[] latency = new long[n];
    PollPlan.Seen[] seen = new PollPlan.Seen[n];
    PriorityQueue<Event> queue = new PriorityQueue<>((a, b) -> Long.compare(a.at, b.at));
    for (int i = 0; i < n; i++) {
      submitted[i] = i * every;
      queue.add(new Event(submitted[i], i, -1));
    }
    long totalReads = 0;
    long now = 0;
    while (!queue.isEmpty()) {
      Event e = queue.poll();
      if (DEBUG && e.at / 20_000 != now / 20_000) {
        System.out.printf("t=%ds price=%.0f late=%d reads=%d%n", e.at / 1000, price.at(e.at), e.at - e.due, totalReads);
      }
      now = e.at;
      int i = e.task;
      if (e.due < 0) {
        long due = now + plan.nextDelay(MODEL, 0, expected, 0, null, now);
        queue.add(new Event(due, i, due));
        continue;
      }
      if (!budget.tryTake(now)) {
        price.heldBack(now);
        queue.add(new Event(budget.nextTokenAt(now), i, e.due));
        continue;
      }
      price.read(now);
      reads[i]++;
      totalReads++;
      long elapsed = now - submitted[i];
      long duration = durations[i % durations.length];
      if (elapsed >= duration) {
        latency[i] = elapsed - duration;
        times.record(MODEL, duration);
        if (seen[i] != null) {
          seen[i].teach(phaseTimes, MODEL, duration);
        }
        continue;
      }
      seen[i] = phases ? seenAt(seen[i], elapsed, duration) : null;
      long due = now + plan.nextDelay(MODEL, elapsed, expected, reads[i], seen[i], now);
      queue.add(new Event(due, i, due));
    }
    if (DEBUG) {
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < n; i += 50) {
        b.append(i).append(':').append(reads[i]).append('/').append(durations[i % durations.length] / 1000).append(' ');
      }
      System.out.println(b);
    }
    long[] sorted = latency.clone();
    Arrays.sort(sorted);
    return new Outcome(totalReads / (double) n, sorted[n / 2], sorted[(int) Math.ceil(0.99 * n) - 1],
        totalReads * 1000.0 / now, price.at(now));
  }

  private static PollPlan.Seen seenAt(PollPlan.Seen last, long elapsed, long duration) {
    if (elapsed * 10 < duration) {
      return PollPlan.Seen.next(last, TaskState.WAITING, 0, -1);
    }
    return elapsed * 4 < duration ? PollPlan.Seen.next(last, TaskState.QUEUING, duration / 10, -1)
        : PollPlan.Seen.next(last, TaskState.GENERATING, duration / 4, -1);
  }
}
