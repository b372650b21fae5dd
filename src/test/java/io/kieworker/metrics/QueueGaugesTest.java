package io.kieworker.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.kieworker.queue.Priority;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class QueueGaugesTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final QueueGauges gauges = new QueueGauges(new WorkerMetrics(registry), 2);

  @Test
  void tenantsBeyondTheTopOnesCountAsOther() {
    Map<String, Integer> normal = new HashMap<>(Map.of("acme", 50, "beta", 20, "gamma", 3, "delta", 1));
    gauges.refresh(Map.of(Priority.NORMAL, normal, Priority.HIGH, Map.of("gamma", 2), Priority.LOW, Map.of()));

    assertThat(value("normal", "acme")).isEqualTo(50);
    assertThat(value("normal", "beta")).isEqualTo(20);
    assertThat(value("normal", "other")).isEqualTo(4);
    assertThat(value("high", "other")).isEqualTo(2);
    assertThat(value("low", "other")).isZero();
    assertThat(registry.find("kie_worker.queued").gauges()).hasSize(5);
  }

  @Test
  void seriesOfTenantsNoLongerQueuedAreRemoved() {
    gauges.refresh(Map.of(Priority.NORMAL, Map.of("acme", 5)));
    gauges.refresh(Map.of(Priority.NORMAL, Map.of("beta", 1)));

    assertThat(registry.find("kie_worker.queued").tag("tenant", "acme").gauge()).isNull();
    assertThat(value("normal", "beta")).isEqualTo(1);
  }

  @Test
  void aThousandTenantsMakeAtMostTopPlusOneSeriesPerPriority() {
    Map<String, Integer> many = new HashMap<>();
    for (int i = 0; i < 1000; i++) {
      many.put("t" + i, i + 1);
    }
    gauges.refresh(Map.of(Priority.LOW, many));

    assertThat(registry.find("kie_worker.queued").tag("priority", "low").gauges()).hasSize(3);
    assertThat(value("low", "t999")).isEqualTo(1000);
    assertThat(value("low", "t998")).isEqualTo(999);
  }

  private double value(String priority, String tenant) {
    Gauge gauge = registry.find("kie_worker.queued").tag("priority", priority).tag("tenant", tenant).gauge();
    assertThat(gauge).as(priority + "/" + tenant).isNotNull();
    return gauge.value();
  }
}
