package io.kieworker.submit;

import java.util.ArrayDeque;

/**
 * Kie.ai's create limit as a sliding window: at most {@code limit} creates in any {@code window}
 * (the account's rule is 20 per 10 s). A 429 blocks all creates until the time Kie.ai named.
 * The limit can change at run time (the group's share per instance).
 *
 * <p>Event-loop confined; pure arithmetic on a clock passed in, so tests need no timers.
 */
public final class CreateRateLimiter {
  private final ArrayDeque<Long> recent = new ArrayDeque<>();
  private final long windowMillis;
  private int limit;
  private long blockedUntil;

  public CreateRateLimiter(int limit, long windowMillis) {
    this.limit = limit;
    this.windowMillis = windowMillis;
  }

  public int limit() {
    return limit;
  }

  public void limit(int limit) {
    this.limit = Math.max(1, limit);
  }

  /** Takes a slot if one is free now; then the caller must create. */
  public boolean tryAcquire(long now) {
    evict(now);
    if (now < blockedUntil || recent.size() >= limit) {
      return false;
    }
    recent.addLast(now);
    return true;
  }

  /** Gives back a slot taken for a create that was refused before it cost anything. */
  public void release() {
    if (!recent.isEmpty()) {
      recent.removeLast();
    }
  }

  /** When the next slot frees (now, if one is free). */
  public long nextFreeAt(long now) {
    evict(now);
    long free = recent.size() < limit ? now : recent.peekFirst() + windowMillis;
    return Math.max(free, blockedUntil);
  }

  /** Kie.ai answered 429: no create before {@code until}. */
  public void blockUntil(long until) {
    blockedUntil = Math.max(blockedUntil, until);
  }

  private void evict(long now) {
    while (!recent.isEmpty() && recent.peekFirst() + windowMillis <= now) {
      recent.removeFirst();
    }
  }
}
