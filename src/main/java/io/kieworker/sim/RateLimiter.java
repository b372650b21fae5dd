package io.kieworker.sim;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Sliding-window limit per API key: at most {@code limit} admissions in any {@code windowMs}.
 * Event-loop only (not thread-safe). Each key keeps at most {@code limit} timestamps, so a check
 * is O(1) amortised.
 */
final class RateLimiter {
  private final int limit;
  private final long windowMs;
  private final Map<String, ArrayDeque<Long>> admitted = new HashMap<>();

  RateLimiter(int limit, long windowMs) {
    this.limit = limit;
    this.windowMs = windowMs;
  }

  /** 0 when admitted (and recorded); otherwise milliseconds until a slot frees. */
  long tryAcquire(String key, long now) {
    if (limit <= 0) {
      return 0;
    }
    ArrayDeque<Long> times = admitted.computeIfAbsent(key, k -> new ArrayDeque<>(limit));
    while (!times.isEmpty() && times.peekFirst() <= now - windowMs) {
      times.pollFirst();
    }
    if (times.size() >= limit) {
      return Math.max(1, times.peekFirst() + windowMs - now);
    }
    times.addLast(now);
    return 0;
  }

  void clear() {
    admitted.clear();
  }
}
