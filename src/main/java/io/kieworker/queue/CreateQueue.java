package io.kieworker.queue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;

/**
 * The requests waiting for a create slot, in the order they should get one:
 * <ol>
 *   <li>the highest <em>effective</em> priority first, where a level's effective priority rises one
 *       step for every {@code agingStep} its oldest request has waited, without a ceiling (a
 *       {@code low} request waiting two steps competes as a fresh {@code high}; a level goes first
 *       once its oldest request has waited one step longer per level than the oldest above it, so a
 *       backlog above that never drains cannot hold it back: delayed, never starved);</li>
 *   <li>within a level, tenants take turns in proportion to their weights (stride scheduling: each
 *       pick advances the tenant's pass by 1/weight; a tenant that was idle joins at the current
 *       pass, so it neither jumps the queue nor waits behind another's backlog);</li>
 *   <li>within a tenant, first in, first out ({@link #addFirst} puts a retried request back in front).</li>
 * </ol>
 * Memory: one small entry per queued item plus one deque per (level, tenant) with items.
 *
 * <p>Not thread-safe: event-loop confined, like the worker that owns it.
 */
public final class CreateQueue<T> {
  private final long agingStepMillis;
  private final ToIntFunction<String> weights;
  private final List<Level<T>> levels = new ArrayList<>();
  private final Map<T, Entry<T>> entries = new IdentityHashMap<>();

  /** One queued item and what orders it. */
  public record Entry<T>(T item, Priority priority, String tenant, long enqueuedAt) {}

  private static final class Lane<T> {
    final ArrayDeque<Entry<T>> entries = new ArrayDeque<>();
    double pass;
  }

  private static final class Level<T> {
    final Map<String, Lane<T>> lanes = new LinkedHashMap<>();
    /** Pass of the last pick: where a tenant that becomes busy again starts. */
    double virtualTime;
    int size;
  }

  /**
   * @param agingStepMillis how long a request waits before its level counts as one step higher
   * @param weights a tenant's share within a level (≥ 1), e.g. from {@code WORKER_TENANT_WEIGHTS}
   */
  public CreateQueue(long agingStepMillis, ToIntFunction<String> weights) {
    this.agingStepMillis = Math.max(1, agingStepMillis);
    this.weights = weights;
    for (int i = 0; i < Priority.values().length; i++) {
      levels.add(new Level<>());
    }
  }

  public void addLast(T item, Priority priority, String tenant, long now) {
    add(new Entry<>(item, priority, tenant, now), false);
  }

  /** Back in front of its tenant's lane, keeping its first enqueue time (a retry after a 429). */
  public void addFirst(T item, Priority priority, String tenant, long enqueuedAt) {
    add(new Entry<>(item, priority, tenant, enqueuedAt), true);
  }

  private void add(Entry<T> entry, boolean front) {
    if (entries.containsKey(entry.item())) {
      return;
    }
    Level<T> level = levels.get(entry.priority().ordinal());
    Lane<T> lane = level.lanes.get(entry.tenant());
    if (lane == null) {
      lane = new Lane<>();
      lane.pass = level.virtualTime;
      level.lanes.put(entry.tenant(), lane);
    }
    if (front) {
      lane.entries.addFirst(entry);
    } else {
      lane.entries.addLast(entry);
    }
    level.size++;
    entries.put(entry.item(), entry);
  }

  /** The item that should be created next, without taking it; null when empty. */
  public Entry<T> peek(long now) {
    Level<T> level = nextLevel(now);
    return level == null ? null : nextLane(level).entries.peekFirst();
  }

  /** Takes the item that should be created next; null when empty. */
  public Entry<T> poll(long now) {
    Level<T> level = nextLevel(now);
    if (level == null) {
      return null;
    }
    Lane<T> lane = nextLane(level);
    Entry<T> entry = lane.entries.pollFirst();
    level.virtualTime = lane.pass;
    lane.pass += 1.0 / Math.max(1, weights.applyAsInt(entry.tenant()));
    dropIfEmpty(level, entry.tenant(), lane);
    level.size--;
    entries.remove(entry.item());
    return entry;
  }

  /** Removes an item wherever it is (cancelled, expired, partition gone); false if not queued. */
  public boolean remove(T item) {
    Entry<T> entry = entries.remove(item);
    if (entry == null) {
      return false;
    }
    Level<T> level = levels.get(entry.priority().ordinal());
    Lane<T> lane = level.lanes.get(entry.tenant());
    lane.entries.remove(entry);
    level.size--;
    dropIfEmpty(level, entry.tenant(), lane);
    return true;
  }

  public boolean contains(T item) {
    return entries.containsKey(item);
  }

  public int size() {
    return entries.size();
  }

  public boolean isEmpty() {
    return entries.isEmpty();
  }

  public void clear() {
    entries.clear();
    levels.forEach(l -> {
      l.lanes.clear();
      l.size = 0;
    });
  }

  /** Every queued entry (a snapshot, for expiry sweeps and metrics). */
  public List<Entry<T>> entries() {
    return new ArrayList<>(entries.values());
  }

  /** Queued items per priority and tenant (for the queue gauges). */
  public Map<Priority, Map<String, Integer>> counts() {
    Map<Priority, Map<String, Integer>> counts = new HashMap<>();
    for (Priority p : Priority.values()) {
      Map<String, Integer> byTenant = new HashMap<>();
      levels.get(p.ordinal()).lanes.forEach((tenant, lane) -> byTenant.put(tenant, lane.entries.size()));
      counts.put(p, byTenant);
    }
    return counts;
  }

  /**
   * The non-empty level with the best effective priority; ties go to the higher base priority. No
   * floor at {@code high}: with one, an aged level could only tie with a higher one that has aged a
   * step too, and lose the tie, for as long as that level's backlog stays a step old.
   */
  private Level<T> nextLevel(long now) {
    Level<T> best = null;
    double bestRank = Double.MAX_VALUE;
    for (int i = 0; i < levels.size(); i++) {
      Level<T> level = levels.get(i);
      if (level.size == 0) {
        continue;
      }
      double rank = i - (double) oldestWait(level, now) / agingStepMillis;
      if (rank < bestRank) {
        best = level;
        bestRank = rank;
      }
    }
    return best;
  }

  private static <T> long oldestWait(Level<T> level, long now) {
    long oldest = Long.MAX_VALUE;
    for (Lane<T> lane : level.lanes.values()) {
      for (Entry<T> e : lane.entries) {
        oldest = Math.min(oldest, e.enqueuedAt());
        break; // lanes are in enqueue order but for retries put in front, whose time is older still
      }
    }
    return oldest == Long.MAX_VALUE ? 0 : Math.max(0, now - oldest);
  }

  /** The lane with the lowest pass; ties go to the tenant that became busy first. */
  private static <T> Lane<T> nextLane(Level<T> level) {
    Lane<T> best = null;
    for (Lane<T> lane : level.lanes.values()) {
      if (best == null || lane.pass < best.pass) {
        best = lane;
      }
    }
    return best;
  }

  private static <T> void dropIfEmpty(Level<T> level, String tenant, Lane<T> lane) {
    if (lane.entries.isEmpty()) {
      level.lanes.remove(tenant);
    }
  }
}
