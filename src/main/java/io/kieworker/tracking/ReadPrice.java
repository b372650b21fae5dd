package io.kieworker.tracking;

/**
 * What one status read must be worth before the poll plan spends it, in milliseconds of expected
 * completion → read delay it saves per task still running (see {@link PollPlan}). Revised from the
 * reads actually spent, every five minimum gaps: when they used more than {@value #HIGH} of this
 * instance's share of the key's read rate, or more than a tenth of them had to wait for the budget,
 * the price rises by a quarter (the plan places fewer, better aimed reads); when they used less
 * than {@value #LOW} of it, it falls by a tenth, down to zero (then reads go wherever they help at all, at most one per
 * minimum gap per task). So the plan spends the budget that is there, and only that. The steps are
 * small because a new price reaches the reads only as they are planned, one gap ahead.
 *
 * <p>Pure apart from its state: the clock is passed in. Event-loop confined.
 */
public final class ReadPrice {
  static final double HIGH = 0.9;
  static final double LOW = 0.7;
  /** Reads held back by the budget, as a share of those spent in a window, that mean it is short. */
  static final double HELD_BACK_SHARE = 0.1;

  private final long window;
  /** The first raise from zero; below it the price falls back to zero. */
  private final double firstStep;
  /** A hundred minimum gaps: past that a price thins nothing more, and a bound lets it recover soon. */
  private final double max;
  private double perSecond;
  /** Written on the event loop only; volatile for {@link #current()} (the metrics scrape). */
  private volatile double price;
  private long windowStart;
  private int reads;
  private int heldBack;

  /**
   * @param minGap the shortest gap between two reads of a task (ms): the price is revised every
   *     five, so one revision sees the effect of the last, and first raised to a quarter of one
   */
  public ReadPrice(long minGap, double perSecond, long now) {
    this.window = Math.max(1, 5 * minGap);
    this.firstStep = Math.max(1, minGap / 4.0);
    this.max = 100.0 * Math.max(1, minGap);
    this.perSecond = perSecond;
    this.windowStart = now;
  }

  /** This instance's share of the key's read rate changed (a rebalance). */
  public void rate(double perSecond) {
    this.perSecond = perSecond;
  }

  /** A read was spent. */
  public void read(long now) {
    revise(now);
    reads++;
  }

  /** A read came due and the budget had no token for it: it waits. */
  public void heldBack(long now) {
    revise(now);
    heldBack++;
  }

  /** The current price (ms), revised first if a window has passed. */
  public double at(long now) {
    revise(now);
    return price;
  }

  /** The price as last revised, without revising it: for a gauge, from any thread. */
  public double current() {
    return price;
  }

  private void revise(long now) {
    long elapsed = now - windowStart;
    if (elapsed < window) {
      return;
    }
    double used = reads / (perSecond * elapsed / 1000.0);
    boolean waited = heldBack > HELD_BACK_SHARE * reads;
    if (used > HIGH || waited) {
      price = price == 0 ? firstStep : Math.min(max, price * 1.1);
    } else if (used < LOW) {
      price = price < firstStep ? 0 : price * 0.95;
    }
    windowStart = now;
    reads = 0;
    heldBack = 0;
  }
}
