package io.kieworker.submit;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The account's create limit split between the group's instances by their demand (requests waiting
 * for a create plus creates in flight), by max-min fairness in whole creates:
 * <ol>
 *   <li>water-filling: the smallest demands are met in full while they are below the fair level
 *       (what is left divided by the instances not yet served); every other instance gets the fair
 *       level, the creates that do not divide evenly going one each to the first of them by id;</li>
 *   <li>what the group does not need (its demand is below the limit) is spread evenly over all
 *       instances, so an idle instance can create at once when a request arrives.</li>
 * </ol>
 * Whole creates, so the shares add up to at most the limit in every window (fractional shares with
 * stretched windows only agree on average, see {@link CreateRateLimiter#partitions}). Deterministic:
 * ties are broken by instance id, so every instance computes the same shares from the same reports.
 *
 * <p>Pure arithmetic; no state.
 */
public final class FairShares {
  private FairShares() {}

  /**
   * @param limit the account's creates per window (≥ 0)
   * @param demands each live instance's demand (negative counts as 0), by instance id
   * @return each instance's share in whole creates, by instance id; the values add up to at most
   *     {@code limit} (exactly {@code limit} when there is at least one instance)
   */
  public static Map<String, Integer> of(int limit, Map<String, Integer> demands) {
    Map<String, Integer> shares = new TreeMap<>();
    if (demands.isEmpty()) {
      return shares;
    }
    List<String> byDemand = new ArrayList<>(new TreeMap<>(demands).keySet());
    byDemand.sort(Comparator.comparingInt((String id) -> demand(demands, id)).thenComparing(id -> id));
    int remaining = limit;
    int served = 0;
    for (; served < byDemand.size(); served++) {
      String id = byDemand.get(served);
      int level = remaining / (byDemand.size() - served);
      if (demand(demands, id) > level) {
        break;
      }
      shares.put(id, demand(demands, id));
      remaining -= demand(demands, id);
    }
    spread(remaining, byDemand.subList(served, byDemand.size()), shares);
    int used = shares.values().stream().mapToInt(Integer::intValue).sum();
    spread(limit - used, new ArrayList<>(shares.keySet()), shares);
    return shares;
  }

  /** {@code amount} split evenly over {@code ids}, the remainder one each to the first ids in id order. */
  private static void spread(int amount, List<String> ids, Map<String, Integer> shares) {
    if (ids.isEmpty() || amount <= 0) {
      return;
    }
    List<String> ordered = new ArrayList<>(ids);
    ordered.sort(Comparator.naturalOrder());
    int each = amount / ordered.size();
    int extra = amount % ordered.size();
    for (int i = 0; i < ordered.size(); i++) {
      shares.merge(ordered.get(i), each + (i < extra ? 1 : 0), Integer::sum);
    }
  }

  private static int demand(Map<String, Integer> demands, String id) {
    Integer d = demands.get(id);
    return d == null ? 0 : Math.max(0, d);
  }
}
