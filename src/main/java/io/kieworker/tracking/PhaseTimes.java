package io.kieworker.tracking;

import io.kieworker.kie.TaskState;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;

/**
 * What a running task's state says about when it will finish, learned per model and state from
 * completed tasks. A read that finds a task in a state it entered {@code p} ms after its creation
 * (Kie.ai's {@code updateTime - createTime}), followed by a completion after {@code d} ms in all,
 * teaches two predictors: proportional ({@code d = p × r}: the phases scale with the task) and fixed
 * remainder ({@code d = p + s}: the rest of the work takes a set time). For a task seen in that state
 * since {@code p}, {@link #predict} answers with the durations the predictor that spreads less at
 * this {@code p} gives, one per sample. When Kie.ai's timestamps say nothing useful, both spread wide
 * and the poll plan keeps the plain duration distribution ({@link CompletionTimes}) instead.
 *
 * <p>Event-loop confined.
 */
public final class PhaseTimes {
  static final int SAMPLES = 128;
  /** Fewer samples than this predict nothing: a handful of tasks is no distribution. */
  static final int MIN_SAMPLES = 16;
  /** Kie.ai's timestamps are untrusted: anything past a day is not a generation time. */
  private static final long MAX_MILLIS = 86_400_000L;

  private final Map<String, EnumMap<TaskState, Ring>> byModel = new HashMap<>();

  private static final class Ring {
    final double[] ratios = new double[SAMPLES];
    final long[] remainders = new long[SAMPLES];
    int size;
    int next;
    double[] sortedRatios;
    long[] sortedRemainders;

    void add(double ratio, long remainder) {
      ratios[next] = ratio;
      remainders[next] = remainder;
      next = (next + 1) % SAMPLES;
      size = Math.min(SAMPLES, size + 1);
      sortedRatios = null;
      sortedRemainders = null;
    }

    void sort() {
      if (sortedRatios == null) {
        sortedRatios = Arrays.copyOf(ratios, size);
        Arrays.sort(sortedRatios);
        sortedRemainders = Arrays.copyOf(remainders, size);
        Arrays.sort(sortedRemainders);
      }
    }
  }

  /**
   * A task of {@code model} last seen running in {@code state}, entered {@code enteredAfter} ms
   * after its creation, finished after {@code duration} ms. Inconsistent pairs are ignored.
   */
  public void record(String model, TaskState state, long enteredAfter, long duration) {
    if (model == null || !informative(state) || enteredAfter <= 0 || duration < enteredAfter
        || duration > MAX_MILLIS) {
      return;
    }
    byModel.computeIfAbsent(model, k -> new EnumMap<>(TaskState.class))
        .computeIfAbsent(state, k -> new Ring())
        .add(duration / (double) enteredAfter, duration - enteredAfter);
  }

  public int samples(String model, TaskState state) {
    Ring ring = ring(model, state);
    return ring == null ? 0 : ring.size;
  }

  /**
   * The total durations predicted for a task seen in {@code state} since {@code enteredAfter}
   * ms after its creation, ascending; null when too little is learned or the input says nothing.
   */
  public long[] predict(String model, TaskState state, long enteredAfter) {
    Ring ring = ring(model, state);
    if (ring == null || ring.size < MIN_SAMPLES || enteredAfter <= 0 || enteredAfter > MAX_MILLIS) {
      return null;
    }
    ring.sort();
    double[] r = ring.sortedRatios;
    long[] s = ring.sortedRemainders;
    double proportionalSpread = enteredAfter * (r[index(r.length, 0.9)] - r[index(r.length, 0.1)]);
    double remainderSpread = s[index(s.length, 0.9)] - s[index(s.length, 0.1)];
    long[] predicted = new long[ring.size];
    for (int i = 0; i < predicted.length; i++) {
      predicted[i] = proportionalSpread <= remainderSpread ? Math.round(enteredAfter * r[i]) : enteredAfter + s[i];
    }
    return predicted;
  }

  private static boolean informative(TaskState state) {
    return state != null && !state.terminal();
  }

  private Ring ring(String model, TaskState state) {
    EnumMap<TaskState, Ring> rings = model == null ? null : byModel.get(model);
    return rings == null || state == null ? null : rings.get(state);
  }

  private static int index(int length, double quantile) {
    return (int) Math.floor(quantile * (length - 1));
  }
}
