package io.kieworker.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The worker's own meters, named {@code kie_worker.*} (Prometheus: {@code kie_worker_*}). Tags carry
 * only bounded values (model ids from the registry, statuses, reasons), never request ids or keys.
 * Micrometer meters are thread-safe.
 *
 * <p>The meters recorded once or more per request are looked up once and kept (a builder's
 * {@code register} on every event builds an id, sorts its tags and hashes them: a measurable part of
 * the event loop in the throughput scenario). The caches are keyed by the same bounded tag values,
 * so they hold no more entries than the registry has meters.
 */
public final class WorkerMetrics {
  private final MeterRegistry registry;
  private final AtomicLong creditsRemaining = new AtomicLong(-1);
  private final Counter requestsConsumed;
  private final Timer pollLateness;
  private final Map<String, Timer> queueWaits = new ConcurrentHashMap<>();
  private final Map<String, Counter> creates = new ConcurrentHashMap<>();
  private final Map<String, Timer> createLatencies = new ConcurrentHashMap<>();
  private final Map<String, Counter> polls = new ConcurrentHashMap<>();
  private final Map<String, Counter> results = new ConcurrentHashMap<>();
  private final Map<String, Timer> endToEnd = new ConcurrentHashMap<>();
  private final Map<String, DistributionSummary> credits = new ConcurrentHashMap<>();

  public WorkerMetrics(MeterRegistry registry) {
    this.registry = registry;
    Gauge.builder("kie_worker.credits.remaining", creditsRemaining, AtomicLong::get)
        .description("Kie.ai credits left on the account, from the last check (-1 = unknown)")
        .register(registry);
    // Untagged counters exist from the start: a dashboard or alert sees 0, not a missing series.
    for (String name : new String[] {"kie_worker.requests.consumed", "kie_worker.rate_limit.waits",
        "kie_worker.rate_limit.429", "kie_worker.creates.ambiguous"}) {
      registry.counter(name);
    }
    requestsConsumed = registry.counter("kie_worker.requests.consumed");
    pollLateness = Timer.builder("kie_worker.poll.lateness").publishPercentiles(0.5, 0.99).register(registry);
  }

  private static <M> M cached(Map<String, M> cache, String key, Function<String, M> register) {
    M meter = cache.get(key);
    return meter != null ? meter : cache.computeIfAbsent(key, register);
  }

  public MeterRegistry registry() {
    return registry;
  }

  public void gauge(String name, String description, Supplier<Number> value) {
    Gauge.builder(name, value).description(description).register(registry);
  }

  /**
   * What a cancel message did: {@code cancelled} (withdrawn before its create), {@code too_late}
   * (created or finished already: its normal result answers it), {@code unknown} (no such request
   * here), {@code rejected} (malformed; dead-lettered).
   */
  public static final java.util.List<String> CANCEL_OUTCOMES = java.util.List.of("cancelled", "too_late", "unknown", "rejected");

  public void cancel(String outcome) {
    registry.counter("kie_worker.cancels", "outcome", outcome).increment();
  }

  /** From a request's acceptance into the create queue to its first create slot. */
  public void queueWait(String priority, long millis) {
    cached(queueWaits, priority, p -> Timer.builder("kie_worker.queue.wait").tag("priority", p)
        .description("Request accepted to its first create slot")
        .publishPercentileHistogram().register(registry)).record(Duration.ofMillis(millis));
  }

  public void requestConsumed() {
    requestsConsumed.increment();
  }

  public void rejected(String reason) {
    registry.counter("kie_worker.requests.rejected", "reason", reason).increment();
  }

  public void create(String model, String outcome, Duration latency) {
    // '\n' cannot occur in a model id or an outcome: the key is unambiguous.
    cached(creates, model + '\n' + outcome,
        k -> registry.counter("kie_worker.creates", "model", model, "outcome", outcome)).increment();
    cached(createLatencies, model, m -> Timer.builder("kie_worker.create.latency").tag("model", m)
        .publishPercentileHistogram().register(registry)).record(latency);
  }

  public void poll(String outcome) {
    cached(polls, outcome, o -> registry.counter("kie_worker.polls", "outcome", o)).increment();
  }

  /** How late a status read started after its planned time (timer precision and the poll budget). */
  public void pollLateness(long millis) {
    pollLateness.record(Duration.ofMillis(Math.max(0, millis)));
  }

  public void callback(String result, String reason) {
    registry.counter("kie_worker.callbacks", "result", result, "reason", reason).increment();
  }

  public void result(String status, String model, Duration endToEnd) {
    cached(results, status, s -> registry.counter("kie_worker.results", "status", s)).increment();
    if (endToEnd != null) {
      cached(this.endToEnd, model == null ? "unknown" : model, m -> Timer.builder("kie_worker.end_to_end")
          .tag("model", m).description("Request received to result published")
          .publishPercentileHistogram().register(registry)).record(endToEnd);
    }
  }

  public void creditsConsumed(String model, double credits) {
    cached(this.credits, model, m -> DistributionSummary.builder("kie_worker.credits.consumed").tag("model", m)
        .register(registry)).record(credits);
  }

  public void creditsRemaining(double credits) {
    creditsRemaining.set((long) credits);
  }

  public void rateLimitWait() {
    registry.counter("kie_worker.rate_limit.waits").increment();
  }

  public void rateLimited() {
    registry.counter("kie_worker.rate_limit.429").increment();
  }

  public void resubmit(String reason) {
    registry.counter("kie_worker.resubmits", "reason", reason).increment();
  }

  public void ambiguousCreate() {
    registry.counter("kie_worker.creates.ambiguous").increment();
  }

  public Counter counter(String name, String... tags) {
    return registry.counter(name, tags);
  }
}
