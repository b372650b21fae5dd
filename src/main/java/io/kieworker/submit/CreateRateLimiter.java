package io.kieworker.submit;

import java.util.TreeMap;

/**
 * Kie.ai's create limit (20 per 10 s per account) as this instance's share of it, enforced as a
 * sliding window: at most {@code count} creates in any {@code window}.
 *
 * <p>The share is set from outside ({@link #share}): the group's demand-aware share (see
 * {@code demand.DemandSharing}) or, while that is not known, the share proportional to the request
 * partitions this instance owns ({@link #partitions}, recomputed on every rebalance). Either way the
 * group as a whole stays under the account's limit: a decrease applies at once, an increase starts
 * as used. The share shrinks on a 429 (AIMD: halved on each 429, grown back by one create per quiet
 * window). A fractional share such as 20 × 1/3
 * is kept exact by stretching the window: 6 creates per 9 s instead of 6.67 per 10 s. A small margin
 * on the window absorbs the difference between our clock and Kie.ai's.
 *
 * <p>Event-loop confined; pure arithmetic on a clock passed in, so tests need no timers.
 */
public final class CreateRateLimiter {
  /** Added to every window: our send time and Kie.ai's receive time differ by the network. */
  static final double WINDOW_MARGIN = 0.02;

  /** Times of the creates inside the window, earliest first. */
  private final SlotTimes recent = new SlotTimes();
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
   * This instance owns {@code owned} of {@code total} request partitions, as of {@code now}: its share
   * becomes {@link #partitionShare} of them.
   *
   * <p>When the share grows while other instances own partitions too, the added share starts as
   * used: the partitions' previous owner may have spent the account's window just before the
   * hand-over.
   */
  public void partitions(java.util.Set<Integer> owned, int total, long now) {
    boolean first = !partitioned; // before the first assignment this instance held nothing
    partitioned = true;
    double newShare = partitionShare(owned, total);
    if (first) {
      fairShare = 0;
      setShare(0);
    }
    share(newShare, now, owned.size() < total ? 0 : -1);
  }

  /**
   * The share of {@code owned} of {@code total} request partitions. The account's limit is
   * apportioned to partitions in whole creates (20 over 6 partitions: partitions 0 and 1 get 4, the
   * others 3), so the shares of the group's instances add up to the limit exactly in every window;
   * fractional shares with stretched windows only agree on average and overshoot Kie.ai's sliding
   * window now and then. An instance whose partitions carry no whole create (more partitions than
   * the limit) falls back to a fractional share.
   */
  public double partitionShare(java.util.Set<Integer> owned, int total) {
    return apportioned(owned, total);
  }

  /**
   * This instance's share of the account's limit becomes {@code newShare}, as of {@code now}.
   *
   * <ul>
   *   <li>A decrease applies at once (a share cut by a 429 stays cut, down to the new share).</li>
   *   <li>An increase starts as used when {@code startDelayMillis ≥ 0}: the added creates count as
   *       taken at {@code now + startDelayMillis}, so they are free one window after that. Whoever
   *       gave the share up may have spent it in the window just before (and may learn of the change
   *       up to {@code startDelayMillis} later than this instance). A share cut by a 429 keeps its cut.</li>
   *   <li>With {@code startDelayMillis < 0} an increase is usable at once (nobody else held it).</li>
   * </ul>
   * The same share again changes nothing, so callers may repeat it on every tick.
   */
  public void share(double newShare, long now, long startDelayMillis) {
    double before = fairShare;
    if (newShare == before) {
      return;
    }
    fairShare = newShare;
    if (newShare < before) {
      setShare(Math.min(share, newShare));
      return;
    }
    setShare(Math.min(newShare, share + (newShare - before)));
    if (startDelayMillis >= 0) {
      long usedAt = now + startDelayMillis;
      int added = (int) Math.ceil(newShare - Math.max(0, before));
      for (int i = 0; i < added && recent.size() < count; i++) {
        recent.add(usedAt);
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

  /**
   * A sorted multiset of slot times with O(log n) add, remove and earliest. The window holds up to
   * {@code count} slots, and a raised account limit makes that thousands: a PriorityQueue's
   * {@code remove(Object)} is a linear scan, paid once per create in {@link #sent} and
   * {@link #release}, and was a tenth of the event loop's time at a limit of 10^6/s.
   */
  private static final class SlotTimes {
    private final TreeMap<Long, Integer> counts = new TreeMap<>();
    private int size;

    void add(long at) {
      counts.merge(at, 1, Integer::sum);
      size++;
    }

    boolean remove(long at) {
      Integer n = counts.get(at);
      if (n == null) {
        return false;
      }
      if (n == 1) {
        counts.remove(at);
      } else {
        counts.put(at, n - 1);
      }
      size--;
      return true;
    }

    /** The earliest time; only when not empty. */
    long peek() {
      return counts.firstKey();
    }

    void poll() {
      remove(counts.firstKey());
    }

    int size() {
      return size;
    }

    boolean isEmpty() {
      return size == 0;
    }
  }
}
