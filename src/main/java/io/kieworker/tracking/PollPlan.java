package io.kieworker.tracking;

import io.kieworker.kie.TaskState;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.DoubleSupplier;

/**
 * When to ask Kie.ai about a task next.
 *
 * <p>Poll-only, latency first within the read budget. The durations a task of this age may still
 * take come from what was learned: the model's durations longer than its age ({@link
 * CompletionTimes}), or, when the last read showed a state whose start predicts the end more
 * tightly (by half at least), the durations that state predicts ({@link PhaseTimes}). The next read goes at the
 * smallest gap {@code g} for which
 *
 * <pre>  P(done within g | running now) × g / 2  ≥  price</pre>
 *
 * that is, when the expected completion → read delay the read covers is worth its price (a read
 * after a gap {@code g} finds the tasks finished in it after {@code g / 2} on average). It is the
 * square-root rule for delay against reads ({@code g ≈ √(2·price / hazard)}): wide gaps while
 * completion is unlikely, shrinking as it becomes likely; when the rest of the predicted
 * durations fits within one minimum gap, the read waits for all of them instead of reading twice.
 * The price comes from the budget ({@link ReadPrice}: zero while reads are plentiful), and is
 * raised to what {@code WORKER_POLL_TARGET_LATENCY} allows when that is set.
 *
 * <p>Cold start (fewer than {@value #MIN_LEARNED} durations of the model known): a read every
 * third of the model's expected duration, like a fixed-interval client, backing off once the task
 * is twice as old as expected. Past every learned duration: soon, then backing off.
 *
 * <p>With callbacks on, polling is only a safety net: late and sparse.
 *
 * <p>Pure apart from the learned state it reads: the clock is passed in. Event-loop confined.
 */
public final class PollPlan {
  static final int MIN_LEARNED = 16;
  /** A read aimed at a predicted completion covers this share of the predictions. */
  private static final double COVER = 0.99;
  /** The target's price is worked out again after this many new completions of the model. */
  private static final int TARGET_REFRESH = 64;
  /** Bounds on the simulation behind the target's price (see {@link #simulate}). */
  private static final int SIMULATED_TASKS = 64;
  private static final int SIMULATED_READS = 64;

  /**
   * What the reads said of a running task: the state the last one found and when the task entered
   * it (ms after creation, -1 when unknown), Kie.ai's creation time (epoch ms, -1 when unknown),
   * and the same of the last read that found another state (or null), so a completion teaches
   * {@link PhaseTimes} about both.
   */
  public record Seen(TaskState state, long enteredAfter, long createdAt, Seen before) {
    /** {@code last} (may be null) followed by a read that found {@code state}. */
    public static Seen next(Seen last, TaskState state, long enteredAfter, long createdAt) {
      Seen before = last == null ? null
          : last.state == state ? last.before : new Seen(last.state, last.enteredAfter, last.createdAt, null);
      return new Seen(state, enteredAfter, createdAt, before);
    }

    /** Teaches {@code phases} that the task of {@code model} took {@code duration} ms in all. */
    public void teach(PhaseTimes phases, String model, long duration) {
      phases.record(model, state, enteredAfter, duration);
      if (before != null) {
        phases.record(model, before.state, before.enteredAfter, duration);
      }
    }
  }

  /** Kie.ai's creation time is used within this of our submit time only (else: a skewed clock, or garbage). */
  private static final long MAX_CLOCK_DIFFERENCE = 60_000;

  /**
   * The age of a task submitted at {@code submittedAt}: from Kie.ai's creation time once a read has
   * told it, as the learned durations and state times are measured from it (a read aimed at a
   * predicted end from our submit time would land the create's round trip early, and miss).
   */
  public static long elapsed(long now, long submittedAt, Seen seen) {
    long from = submittedAt;
    if (seen != null && seen.createdAt > 0 && Math.abs(seen.createdAt - submittedAt) <= MAX_CLOCK_DIFFERENCE) {
      from = seen.createdAt;
    }
    return Math.max(0, now - from);
  }

  /** Reads per task and mean completion → read delay (ms) of the plan over a set of durations. */
  record Simulated(double readsPerTask, double meanDelay) {}

  private record TargetPrice(long recorded, double price) {}

  private final CompletionTimes times;
  private final PhaseTimes phases;
  private final ReadPrice budget;
  private final long minGap;
  private final long maxGap;
  private final long target;
  private final boolean callbacksOn;
  private final DoubleSupplier random;
  private final Map<String, TargetPrice> targetPrices = new HashMap<>();

  /**
   * @param target the mean completion → read delay to aim for, or null for the best the budget allows
   * @param random jitter of the callback safety net only
   */
  public PollPlan(CompletionTimes times, PhaseTimes phases, ReadPrice budget, Duration minGap, Duration maxGap,
      Duration target, boolean callbacksOn, DoubleSupplier random) {
    this.times = times;
    this.phases = phases;
    this.budget = budget;
    this.minGap = minGap.toMillis();
    this.maxGap = maxGap.toMillis();
    this.target = target == null ? -1 : target.toMillis();
    this.callbacksOn = callbacksOn;
    this.random = random;
  }

  /**
   * Delay from {@code now} until the next read of a task of {@code model} submitted {@code elapsed}
   * ms ago, read {@code pollsSoFar} times; {@code seen} is what the last read said, or null.
   */
  public long nextDelay(String model, long elapsed, Duration expected, int pollsSoFar, Seen seen, long now) {
    if (callbacksOn) {
      long delay = safetyNetDelay(model, elapsed, expected, pollsSoFar);
      // Up to 10 % later, never earlier: spreads the polls of tasks created together.
      return delay + (long) (delay * 0.1 * random.getAsDouble());
    }
    long[] remaining = remaining(model, elapsed, seen);
    if (remaining.length == 0) {
      long[] learned = times.sorted(model);
      return learned.length < MIN_LEARNED ? coldInterval(elapsed, expected)
          : pastEveryDuration(elapsed, learned[learned.length - 1]);
    }
    // Not capped by the maximum gap: the remaining durations bound it, and a cap would only add
    // reads to long tasks whose end is well predicted (a 30 s cap reads a 90 s task three times).
    // But never past the longest duration learned (plus a maximum gap): a state's prediction
    // rests on Kie.ai's timestamps, and those must not postpone a read to the deadline.
    long[] learned = times.sorted(model);
    long bound = learned.length == 0 ? maxGap : Math.max(maxGap, learned[learned.length - 1] - elapsed);
    return Math.max(minGap, Math.min(bound, gap(remaining, 0, elapsed, price(model, now), minGap)));
  }

  /**
   * The durations a task of this age may still take, ascending: the state's prediction when it is
   * tighter than the model's durations, else those; empty when nothing (more) is learned.
   */
  private long[] remaining(String model, long elapsed, Seen seen) {
    long[] learned = times.samples(model) < MIN_LEARNED ? new long[0] : times.longerThan(model, elapsed);
    long[] predicted = seen == null ? null : phases.predict(model, seen.state(), seen.enteredAfter());
    if (predicted == null) {
      return learned;
    }
    int from = CompletionTimes.upperBound(predicted, elapsed);
    long[] rest = Arrays.copyOfRange(predicted, from, predicted.length);
    // Tighter by half at least: a state's time that says little is not worth its noise.
    boolean tighter = rest.length >= PhaseTimes.MIN_SAMPLES / 2
        && (learned.length < MIN_LEARNED / 2 || 2 * spread(rest) < spread(learned));
    return tighter ? rest : learned;
  }

  /**
   * The square-root rule over {@code sorted[from..]}, all longer than {@code elapsed}: the smallest
   * gap {@code g} with {@code k(g) × g ≥ 2 × price × n}, where {@code k(g)} of the {@code n}
   * durations end within {@code g}. {@code k × g} grows with {@code g}, so a binary search over
   * {@code k} finds it. Then the cover rule: never later than when all but 1 % of the durations
   * have ended, and when they all end less than a minimum gap after {@code g}, then, instead of
   * reading twice. Not clamped to the minimum gap.
   */
  static long gap(long[] sorted, int from, long elapsed, double price, long minGap) {
    int n = sorted.length - from;
    double needed = 2 * price * n;
    int lo = 1;
    int hi = n;
    while (lo < hi) {
      int k = (lo + hi) >>> 1;
      if ((double) k * (sorted[from + k] - elapsed) >= needed) {
        hi = k;
      } else {
        lo = k + 1;
      }
    }
    long g = Math.max(sorted[from + lo - 1] - elapsed, (long) Math.ceil(needed / lo));
    long cover = sorted[from + (int) Math.floor(COVER * (n - 1))] - elapsed;
    return cover - g < minGap ? cover : g;
  }

  /** Cold: a read every third of the expected duration, backing off past twice that. */
  private long coldInterval(long elapsed, Duration expected) {
    long every = Math.max(minGap, expected.toMillis() / 3);
    long overdue = elapsed - 2 * expected.toMillis();
    return clamp(Math.max(every, overdue / 2), minGap, maxGap);
  }

  /**
   * Past the longest learned duration (often a read aimed at a predicted end that came a few ms
   * early): soon, then backing off with the time past it, so an outlier costs a few reads, not one
   * per minimum gap.
   */
  private long pastEveryDuration(long elapsed, long longest) {
    return clamp((elapsed - longest) / 2, minGap, maxGap);
  }

  private double price(String model, long now) {
    double price = budget.at(now);
    return target < 0 ? price : Math.max(price, targetPrice(model));
  }

  /** The highest price whose plan, simulated on the model's durations, keeps the target: fewest reads. */
  private double targetPrice(String model) {
    long recorded = times.recorded(model);
    TargetPrice cached = targetPrices.get(model);
    if (cached == null || recorded - cached.recorded >= TARGET_REFRESH) {
      cached = new TargetPrice(recorded, priceFor(times.sorted(model), target, minGap, maxGap));
      targetPrices.put(model, cached);
    }
    return cached.price;
  }

  /**
   * Bisection over the price (log scale) for the highest one whose simulated mean delay is at most
   * {@code target}; 0 when even reading as often as allowed misses it.
   */
  static double priceFor(long[] sorted, long target, long minGap, long maxGap) {
    if (sorted.length < MIN_LEARNED) {
      return 0;
    }
    double lo = Math.max(1, minGap / 100.0);
    double hi = 3_600_000;
    if (simulate(sorted, lo, minGap, maxGap).meanDelay() > target) {
      return 0;
    }
    if (simulate(sorted, hi, minGap, maxGap).meanDelay() <= target) {
      return hi;
    }
    for (int i = 0; i < 24; i++) {
      double mid = Math.sqrt(lo * hi);
      if (simulate(sorted, mid, minGap, maxGap).meanDelay() <= target) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /**
   * The plan at a fixed {@code price} for tasks taking the durations in {@code sorted} (every
   * {@code n / 64}th of them stands for the rest), the durations themselves as what is learned.
   * Bounded: at most {@value #SIMULATED_TASKS} tasks of {@value #SIMULATED_READS} reads each.
   */
  static Simulated simulate(long[] sorted, double price, long minGap, long maxGap) {
    int step = Math.max(1, sorted.length / SIMULATED_TASKS);
    long reads = 0;
    long delay = 0;
    int tasks = 0;
    for (int i = step / 2; i < sorted.length; i += step) {
      long duration = sorted[i];
      long t = 0;
      int r = 0;
      while (t < duration && r < SIMULATED_READS) {
        int from = CompletionTimes.upperBound(sorted, t);
        t += Math.max(minGap, gap(sorted, from, t, price, minGap));
        r++;
      }
      reads += r;
      delay += Math.max(0, t - duration);
      tasks++;
    }
    return new Simulated(reads / (double) tasks, delay / (double) tasks);
  }

  private long safetyNetDelay(String model, long elapsed, Duration expected, int pollsSoFar) {
    long p99 = times.conditionalQuantile(model, 0, 0.99);
    long typicalLongest = Math.max(p99, expected.toMillis());
    long firstAt = Math.max(3 * typicalLongest, 60_000);
    if (elapsed < firstAt) {
      return Math.max(minGap, firstAt - elapsed);
    }
    return Math.max(60_000, backoff(elapsed, pollsSoFar));
  }

  /**
   * Safety net past its first read: the next at 1.5 × the age of the task at least, so a task is
   * never read more than about log1.5(duration / first read) times however long it runs.
   */
  private long backoff(long elapsed, int pollsSoFar) {
    double gap = Math.max(minGap * Math.pow(1.5, Math.min(pollsSoFar, 20)), elapsed / 2.0);
    return clamp((long) gap, minGap, maxGap);
  }

  private static long clamp(long delay, long minGap, long maxGap) {
    return Math.max(minGap, Math.min(maxGap, delay));
  }

  /** Width of the middle 80 % of {@code sorted}. */
  private static long spread(long[] sorted) {
    int n = sorted.length;
    return sorted[(int) Math.floor(0.9 * (n - 1))] - sorted[(int) Math.floor(0.1 * (n - 1))];
  }
}
