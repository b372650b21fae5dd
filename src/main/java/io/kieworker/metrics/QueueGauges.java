package io.kieworker.metrics;

import io.kieworker.queue.Priority;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * {@code kie_worker_queued{priority, tenant}}: requests waiting for a create, by priority and
 * tenant. Tenant names come from requests, so the label is bounded: the {@code topTenants} tenants
 * with most queued requests keep their name, every other tenant counts under {@code other}. At most
 * 3 × (topTenants + 1) series.
 *
 * <p>{@link #refresh} takes a snapshot of counts made on the worker's event loop; the registry reads
 * the gauges from any thread.
 */
public final class QueueGauges {
  public static final String OTHER = "other";

  private final MultiGauge gauge;
  private final int topTenants;

  public QueueGauges(WorkerMetrics metrics, int topTenants) {
    this.topTenants = Math.max(1, topTenants);
    this.gauge = MultiGauge.builder("kie_worker.queued")
        .description("Requests waiting for a create, by priority and tenant (the top tenants by name, the rest as other)")
        .register(metrics.registry());
  }

  /** New counts per priority and tenant; series that are gone are removed. */
  public void refresh(Map<Priority, Map<String, Integer>> counts) {
    List<MultiGauge.Row<?>> rows = new ArrayList<>();
    labelled(counts).forEach((priority, byTenant) -> byTenant.forEach((tenant, n) ->
        rows.add(MultiGauge.Row.of(Tags.of("priority", priority.wireName(), "tenant", tenant), n))));
    // Every priority has a series, so a dashboard sees 0 rather than nothing.
    for (Priority p : Priority.values()) {
      if (counts.getOrDefault(p, Map.of()).isEmpty()) {
        rows.add(MultiGauge.Row.of(Tags.of("priority", p.wireName(), "tenant", OTHER), 0));
      }
    }
    gauge.register(rows, true);
  }

  /** The counts with tenants outside the top {@code topTenants} (by total queued) folded into {@code other}. */
  Map<Priority, Map<String, Integer>> labelled(Map<Priority, Map<String, Integer>> counts) {
    Map<String, Integer> totals = new HashMap<>();
    counts.values().forEach(byTenant -> byTenant.forEach((t, n) -> totals.merge(t, n, Integer::sum)));
    List<String> top = totals.entrySet().stream()
        .sorted(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
        .limit(topTenants).map(Map.Entry::getKey).collect(Collectors.toList());
    Map<Priority, Map<String, Integer>> labelled = new HashMap<>();
    counts.forEach((priority, byTenant) -> {
      Map<String, Integer> out = new HashMap<>();
      byTenant.forEach((t, n) -> out.merge(top.contains(t) && !OTHER.equals(t) ? t : OTHER, n, Integer::sum));
      labelled.put(priority, out);
    });
    return labelled;
  }
}
