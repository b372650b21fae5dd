package io.kieworker.demand;

import io.kieworker.submit.FairShares;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * What this instance knows of the group's demand: the latest report of each instance and when this
 * instance read it (its own clock). A report is live for {@code ttl} after it was read; an
 * instance killed without a word (kill -9) therefore leaves the view one TTL after its last report.
 *
 * <p>The view is <em>live</em> while this instance's own latest report was read back within the
 * TTL. Reading its own report proves two things: the demand topic is reachable both ways, and every
 * report written before it (the topic has one partition, read in order from at least one window
 * plus two TTLs back) has been read, so no instance that created in the last window is missing.
 *
 * <p>Event-loop confined (the worker's context); pure: the clock is passed in.
 */
final class DemandView {
  private record Seen(int demand, long at) {}

  private final String self;
  private final long ttlMillis;
  private long warmAt;
  private final Map<String, Seen> reports = new HashMap<>();

  /**
   * @param warmAt the view is not live before this time: the reader must have been reading for
   *     longer than one report interval, so that every live instance has reported since (even one
   *     whose earlier reports a clock-skewed record time hid from the look-back)
   */
  DemandView(String self, long ttlMillis, long warmAt) {
    this.self = self;
    this.ttlMillis = ttlMillis;
    this.warmAt = warmAt;
  }

  /** The reader started: the view may be live from {@code at} on (see the constructor). */
  void warmAt(long at) {
    warmAt = at;
  }

  /** A report read at {@code now}. */
  void report(DemandReport report, long now) {
    reports.put(report.instance(), new Seen(report.demand(), now));
  }

  /** A tombstone: the instance left. This instance's own tombstone (from an earlier run) is ignored. */
  void left(String instance) {
    if (!self.equals(instance)) {
      reports.remove(instance);
    }
  }

  boolean live(long now) {
    Seen own = reports.get(self);
    return now >= warmAt && own != null && now - own.at < ttlMillis;
  }

  /** The demand of every live instance, by id; expired reports are dropped. */
  Map<String, Integer> liveDemands(long now) {
    Map<String, Integer> live = new TreeMap<>();
    for (Iterator<Map.Entry<String, Seen>> it = reports.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, Seen> e = it.next();
      if (now - e.getValue().at >= ttlMillis) {
        it.remove();
      } else {
        live.put(e.getKey(), e.getValue().demand);
      }
    }
    return live;
  }

  /** This instance's share of {@code limit} by max-min fairness over the live demands; null while not live. */
  Integer share(int limit, long now) {
    if (!live(now)) {
      return null;
    }
    return FairShares.of(limit, liveDemands(now)).get(self);
  }

  /** The live instances' demands added up. */
  long groupDemand(long now) {
    return liveDemands(now).values().stream().mapToLong(Integer::longValue).sum();
  }
}
