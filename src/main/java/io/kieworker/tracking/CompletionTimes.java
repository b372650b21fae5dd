package io.kieworker.tracking;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * How long each model's tasks take, learned from completions (and from the ledger's results at
 * replay): the last {@value #SAMPLES} durations per model. The poll plan reads the durations longer
 * than a task's age as the distribution of when it will finish.
 *
 * <p>Event-loop confined.
 */
public final class CompletionTimes {
  static final int SAMPLES = 256;

  private final Map<String, Ring> byModel = new HashMap<>();

  private static final class Ring {
    final long[] values = new long[SAMPLES];
    int size;
    int next;
    long recorded;
    long[] sorted;

    long[] sorted() {
      if (sorted == null) {
        sorted = Arrays.copyOf(values, size);
        Arrays.sort(sorted);
      }
      return sorted;
    }
  }

  public void record(String model, long durationMillis) {
    Ring ring = byModel.computeIfAbsent(model, k -> new Ring());
    ring.values[ring.next] = durationMillis;
    ring.next = (ring.next + 1) % SAMPLES;
    ring.size = Math.min(SAMPLES, ring.size + 1);
    ring.recorded++;
    ring.sorted = null;
  }

  /** Completions ever recorded for {@code model} (not only those still held): a version number. */
  public long recorded(String model) {
    Ring ring = byModel.get(model);
    return ring == null ? 0 : ring.recorded;
  }

  /** The held durations of {@code model}, ascending (a shared copy: do not modify), or an empty array. */
  long[] sorted(String model) {
    Ring ring = byModel.get(model);
    return ring == null ? new long[0] : ring.sorted();
  }

  /** The held durations longer than {@code elapsed}, ascending: when a task of that age may finish. */
  long[] longerThan(String model, long elapsed) {
    long[] sorted = sorted(model);
    return Arrays.copyOfRange(sorted, upperBound(sorted, elapsed), sorted.length);
  }

  public int samples(String model) {
    Ring ring = byModel.get(model);
    return ring == null ? 0 : ring.size;
  }

  /**
   * The {@code quantile} of the durations longer than {@code elapsed}, or -1 when none is known
   * (no samples, or the task already outlived every sample).
   */
  public long conditionalQuantile(String model, long elapsed, double quantile) {
    Ring ring = byModel.get(model);
    if (ring == null || ring.size == 0) {
      return -1;
    }
    long[] sorted = ring.sorted();
    int from = upperBound(sorted, elapsed);
    if (from >= sorted.length) {
      return -1;
    }
    int index = from + (int) Math.floor(quantile * (sorted.length - 1 - from));
    return sorted[Math.min(index, sorted.length - 1)];
  }

  /** First index whose value is greater than {@code value}. */
  static int upperBound(long[] sorted, long value) {
    int lo = 0;
    int hi = sorted.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (sorted[mid] <= value) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }
}
