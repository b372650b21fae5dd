package io.kieworker.submit;

import java.util.Set;

/**
 * Which share of the account's create limit this instance uses: the group's demand-aware share while
 * this instance's view of the group is live ({@code demand.DemandSharing}), else the share
 * proportional to the request partitions it owns. Partitions are still tracked while the group share
 * applies, so falling back needs no rebalance. Every switch goes through
 * {@link CreateRateLimiter#share}: a decrease at once, an increase as used.
 *
 * <p>Event-loop confined; the clock is passed in.
 */
public final class CreateShare {
  private final CreateRateLimiter limiter;
  private double partitionShare;
  private Integer groupShare;

  public CreateShare(CreateRateLimiter limiter) {
    this.limiter = limiter;
  }

  /** After a rebalance: this instance owns {@code owned} of {@code total} request partitions. */
  public void partitions(Set<Integer> owned, int total, long now) {
    partitionShare = limiter.partitionShare(owned, total);
    if (groupShare == null) {
      limiter.partitions(owned, total, now);
    }
  }

  /**
   * The group's share for this instance, or null when its view is no longer live (back to the
   * partition share); an increase starts {@code startDelayMillis} after {@code now}, as used.
   */
  public void group(Integer share, long now, long startDelayMillis) {
    groupShare = share;
    limiter.share(share != null ? share : partitionShare, now, startDelayMillis);
  }

  /** True while the group's demand-aware share applies. */
  public boolean grouped() {
    return groupShare != null;
  }
}
