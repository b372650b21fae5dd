package io.kieworker.tracking;

/**
 * Kie.ai allows about 10 status reads per second per key: a token bucket refilled at {@code rate}
 * per second, holding at most one second's worth. Each instance holds its share of the key's
 * budget, proportional to the partitions it owns. Event-loop confined.
 */
public final class PollBudget {
  private double ratePerMilli;
  private double capacity;
  private double tokens;
  private long last;

  public PollBudget(double perSecond, long now) {
    this.ratePerMilli = perSecond / 1000.0;
    this.capacity = Math.max(1, perSecond);
    this.tokens = capacity;
    this.last = now;
  }

  /** Changes the rate (e.g. this instance's share of the key's budget after a rebalance). */
  public void rate(double perSecond, long now) {
    refill(now);
    ratePerMilli = perSecond / 1000.0;
    capacity = Math.max(1, perSecond);
    tokens = Math.min(tokens, capacity);
  }

  public boolean tryTake(long now) {
    refill(now);
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }

  /** When the next token will be there. */
  public long nextTokenAt(long now) {
    refill(now);
    return tokens >= 1 ? now : now + (long) Math.ceil((1 - tokens) / ratePerMilli);
  }

  private void refill(long now) {
    tokens = Math.min(capacity, tokens + (now - last) * ratePerMilli);
    last = now;
  }
}
