package io.kieworker.tools;

/** Nearest-rank percentiles of sorted samples: the one helper of the demo and the benchmarks. */
public final class Percentiles {
  private Percentiles() {}

  /** The sample at quantile {@code q} (0 < q ≤ 1) of {@code sorted}, or -1 when there is none. */
  public static long of(long[] sorted, double q) {
    if (sorted.length == 0) {
      return -1;
    }
    int rank = (int) Math.ceil(q * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }
}
