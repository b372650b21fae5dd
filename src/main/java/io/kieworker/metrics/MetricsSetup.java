package io.kieworker.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.vertx.core.spi.observability.HttpRequest;
import io.vertx.micrometer.MicrometerMetricsOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;

/**
 * Wiring shared by every worker's registry: Vert.x metrics that leave Prometheus scrapes out, and
 * Kafka client metrics ({@code kafka_consumer_*}, {@code kafka_producer_*}) tagged by role.
 */
public final class MetricsSetup {
  public static final String METRICS_PATH = "/metrics";
  /** Put on the HTTP server meters of a scrape only; such meters are then denied, never registered. */
  private static final String SCRAPE_TAG = "kie_scrape";
  private static final Tags SCRAPE = Tags.of(SCRAPE_TAG, "true");

  private MetricsSetup() {}

  /** Vert.x Micrometer options: a request to /metrics is tagged so {@link #excludeScrapes} drops its meters. */
  public static MicrometerMetricsOptions vertxOptions() {
    return new MicrometerMetricsOptions().setEnabled(true).setServerRequestTagsProvider(MetricsSetup::scrapeTags);
  }

  /** Must be applied before any Vert.x meter registers. */
  public static void excludeScrapes(MeterRegistry registry) {
    registry.config().meterFilter(MeterFilter.deny(id -> id.getTag(SCRAPE_TAG) != null));
  }

  static Iterable<Tag> scrapeTags(HttpRequest request) {
    return isScrape(request.uri()) ? SCRAPE : Tags.empty();
  }

  static boolean isScrape(String uri) {
    if (uri == null) {
      return false;
    }
    int query = uri.indexOf('?');
    String path = query < 0 ? uri : uri.substring(0, query);
    return path.equals(METRICS_PATH) || path.equals(METRICS_PATH + "/");
  }

  /**
   * Binds a consumer's metrics. Micrometer reads {@code consumer.metrics()} from its own scheduler
   * thread: for the classic consumer that reads the metric registry only, which is thread-safe.
   * Close the result when the client closes.
   */
  public static KafkaClientMetrics bindConsumer(Consumer<?, ?> consumer, MeterRegistry registry, String role) {
    KafkaClientMetrics metrics = new KafkaClientMetrics(consumer, Tags.of("kie_client", role));
    metrics.bindTo(registry);
    return metrics;
  }

  public static KafkaClientMetrics bindProducer(Producer<?, ?> producer, MeterRegistry registry, String role) {
    KafkaClientMetrics metrics = new KafkaClientMetrics(producer, Tags.of("kie_client", role));
    metrics.bindTo(registry);
    return metrics;
  }
}
