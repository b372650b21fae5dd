package io.kieworker.submit;

import java.util.PriorityQueue;

/**
 * Kie.ai's create limit (20 per 10 s per account) as this instance's share of it, enforced as a
 * sliding window: at most {@code count} creates in any {@code window}.
 *
 * <p>The share is proportional to the request partitions this instance owns (recomputed on every
 * rebalance, so the group as a whole stays under the account's limit) and shrinks on a 429 (AIMD:
 * halved on each 429, grown back by one create per quiet window). A fractional share such as 20 × 1/3
 * is kept exact by stretching the window: 6 creates per 9 s instead of 6.67 per 10 s. A small margin
 * on the window absorbs the difference between our clock and Kie.ai's.
 *
 * <p>Event-loop confined; pure arithmetic on a clock passed in, so tests need no timers.
 */
public final class CreateRateLimiter {
  /** Added to every window: our send time and Kie.ai's receive time differ by the network. */
  static final double WINDOW_MARGIN = 0.02;

  /** Times of the creates inside the window, earliest first. */
  private final PriorityQueue<Long> recent = new PriorityQueue<>();
  private final int accountLimit;
  private final long accountWindowMillis;
  private double fairShare;
  private double share;
  private int count;
  private long windowMillis;
  private long blockedUntil;
  private long lastDecrease;
  private boolean partitioned;

  public CreateRateLimiter(int accountLimit, long accountWindowMillis) {
    this.accountLimit = accountLimit;
    this.accountWindowMillis = accountWindowMillis;
    this.fairShare = accountLimit;
    setShare(accountLimit);
  }

  /**
   * This instance owns {@code owned} of {@code total} request partitions, as of {@code now}.
   *
   * <p>The account's limit is apportioned to partitions in whole creates (20 over 6 partitions:
   * partitions 0 and 1 get 4, the others 3), so the shares of the group's instances add up to the
   * limit exactly in every window; fractional shares with stretched windows only agree on average
   * and overshoot Kie.ai's sliding window now and then. An instance whose partitions carry no whole
   * create (more partitions than the limit) falls back to a fractional share.
   *
   * <p>When the share grows while other instances own partitions too, the added share starts as
   * used: the partitions' previous owner may have spent the account's window just before the
   * hand-over.
   */
  public void partitions(java.util.Set<Integer> owned, int total, long now) {
    double before = partitioned ? share : 0; // before the first assignment this instance held nothing
    partitioned = true;
    fairShare = apportioned(owned, total);
    setShare(fairShare);
    if (owned.size() < total && fairShare > before) {
      int added = (int) Math.ceil(fairShare - Math.max(0, before));
      for (int i = 0; i < added && recent.size() < count; i++) {
        recent.add(now);
      }
    }
  }

  private double apportioned(java.util.Set<Integer> owned, int total) {
    if (total <= 0) {
      return accountLimit;
    }
    int whole = 0;
    for (int p : owned) {
      whole += accountLimit / total + (p < accountLimit % total ? 1 : 0);
    }
    return whole > 0 || owned.isEmpty() ? whole : (double) accountLimit * owned.size() / total;
  }

  public double share() {
    return share;
  }

  public double fairShare() {
    return fairShare;
  }

  /** Takes a slot if one is free now; then the caller must create. */
  public boolean tryAcquire(long now) {
    evict(now);
    if (share <= 0 || now < blockedUntil || recent.size() >= count) {
      return false;
    }
    recent.add(now);
    growIfQuiet(now);
    return true;
  }

  /**
   * Moves a slot taken at {@code takenAt} to {@code sentAt}, when the create actually leaves: the
   * ledger write and barrier in between can take a while, and Kie.ai counts arrivals, not our
   * reservations.
   */
  public void sent(long takenAt, long sentAt) {
    if (recent.remove(takenAt)) {
      recent.add(Math.max(takenAt, sentAt));
    }
  }

  /** Gives back the slot taken at {@code takenAt} for a create that never reached Kie.ai. */
  public void release(long takenAt) {
    recent.remove(takenAt);
  }

  /** When the next slot frees (now, if one is free); Long.MAX_VALUE while this instance has no share. */
  public long nextFreeAt(long now) {
    if (share <= 0) {
      return Long.MAX_VALUE;
    }
    evict(now);
    long free = recent.size() < count ? now : recent.peek() + windowMillis;
    return Math.max(free, blockedUntil);
  }

  /** Kie.ai answered 429: no create before {@code until}, and the share halves (at most once a window). */
  public void rateLimited(long now, long until) {
    blockedUntil = Math.max(blockedUntil, until);
    if (now - lastDecrease >= windowMillis) {
      lastDecrease = now;
      setShare(Math.max(Math.min(1, fairShare), share / 2));
    }
  }

  /** Additive increase: one more create per window, after a window without a 429. */
  private void growIfQuiet(long now) {
    if (share < fairShare && now - lastDecrease >= windowMillis) {
      lastDecrease = now;
      setShare(Math.min(fairShare, share + 1));
    }
  }

  private void setShare(double newShare) {
    share = newShare;
    if (share <= 0) {
      count = 0;
      windowMillis = accountWindowMillis;
      return;
    }
    count = Math.max(1, (int) Math.floor(share));
    double stretched = accountWindowMillis * (count / share);
    windowMillis = (long) Math.ceil(stretched * (1 + WINDOW_MARGIN));
  }

  private void evict(long now) {
    while (!recent.isEmpty() && recent.peek() + windowMillis <= now) {
      recent.poll();
    }
  }
}
