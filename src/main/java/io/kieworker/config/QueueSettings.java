package io.kieworker.config;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How the create queue orders and bounds the requests waiting for a create (issue 10).
 *
 * @param maxQueueTime a request whose create has not started this long after its request record's
 *     timestamp ends EXPIRED; null = no group default (only a request's own {@code expiresAt})
 * @param tenantWeights each listed tenant's share of creates within a priority (1–100); a tenant
 *     not listed weighs 1. Immutable, in the order written
 * @param priorityAging a queued level counts one priority step higher for each such wait of its
 *     oldest request (so {@code low} waiting two steps competes as {@code high})
 * @param tenantLabels how many tenants (those with most queued requests) get their own metric
 *     label; the rest are counted under {@code other}
 * @param maxPendingBytes with {@code WORKER_MAX_PENDING}, the read-ahead's memory bound: bytes of
 *     request values held by pending tasks
 */
public record QueueSettings(Duration maxQueueTime, Map<String, Integer> tenantWeights, Duration priorityAging,
    int tenantLabels, long maxPendingBytes) {
  /** The declared defaults (no queue time limit, every tenant weight 1, 5 min aging, 10 labels, 256 MiB). */
  public static final QueueSettings DEFAULTS =
      new QueueSettings(null, Map.of(), Duration.ofMinutes(5), 10, 256L * 1024 * 1024);

  public QueueSettings {
    tenantWeights = tenantWeights == null ? Map.of()
        : Collections.unmodifiableMap(new LinkedHashMap<>(tenantWeights));
  }

  /** The tenant's weight: its {@code WORKER_TENANT_WEIGHTS} entry, else 1. */
  public int weightOf(String tenant) {
    return tenantWeights.getOrDefault(tenant, 1);
  }
}
