package io.kieworker.kafka;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * Which request offsets may be committed: per partition, the offset just past the highest
 * contiguous run of finished records (smallrye's "throttled latest processed" strategy). A record
 * is finished once nothing is lost if it is never read again: its task id is in the ledger, or its
 * terminal result is published.
 *
 * <p>Event-loop confined: every method is called on the worker's context.
 */
public final class OffsetTracker {
  private final Map<Integer, Partition> partitions = new HashMap<>();

  private static final class Partition {
    /** Offsets received and not yet finished. */
    final TreeSet<Long> open = new TreeSet<>();
    /** One past the highest offset received; the commit position when nothing is open. */
    long next = -1;
    /** The last position handed out for commit. */
    long committed = -1;
  }

  public void received(int partition, long offset) {
    Partition p = partitions.computeIfAbsent(partition, k -> new Partition());
    p.open.add(offset);
    p.next = Math.max(p.next, offset + 1);
  }

  public void finished(int partition, long offset) {
    Partition p = partitions.get(partition);
    if (p != null) {
      p.open.remove(offset);
    }
  }

  /** Records still open in a partition (received, not finished). */
  public int openCount(int partition) {
    Partition p = partitions.get(partition);
    return p == null ? 0 : p.open.size();
  }

  /** The position to commit for each partition that moved since the last call. */
  public Map<Integer, Long> commitPositions() {
    Map<Integer, Long> positions = new HashMap<>();
    partitions.forEach((partition, p) -> {
      long position = position(p);
      if (position > p.committed) {
        positions.put(partition, position);
        p.committed = position;
      }
    });
    return positions;
  }

  /**
   * An asynchronous commit of {@code positions} failed (a rebalance under way, a broker blip): they
   * are handed out again by the next {@link #commitPositions()} or {@link #release}, instead of
   * being taken for committed (the next owner would read those records again).
   */
  public void commitFailed(Map<Integer, Long> positions) {
    positions.forEach((partition, position) -> {
      Partition p = partitions.get(partition);
      if (p != null && p.committed == position) {
        p.committed = -1;
      }
    });
  }

  /** The position to commit for one partition being revoked, then forgets it. */
  public Long release(int partition) {
    Partition p = partitions.remove(partition);
    if (p == null) {
      return null;
    }
    long position = position(p);
    return position > p.committed ? position : null;
  }

  private static long position(Partition p) {
    return p.open.isEmpty() ? p.next : p.open.first();
  }
}
