package io.kieworker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The create queue's settings (issue 10): defaults, values, and a clear problem for each bad value. */
@Tag("unit")
class QueueSettingsTest {
  private static QueueSettings load(String... pairs) {
    return ConfigLoader.load(null, env(pairs)).queue();
  }

  private static Map<String, String> env(String... pairs) {
    Map<String, String> env = new HashMap<>(Map.of("KIE_API_KEY", "k"));
    for (int i = 0; i < pairs.length; i += 2) {
      env.put(pairs[i], pairs[i + 1]);
    }
    return env;
  }

  private static List<String> problems(String... pairs) {
    try {
      ConfigLoader.load(null, env(pairs));
    } catch (ConfigException e) {
      return e.problems();
    }
    throw new AssertionError("expected a ConfigException");
  }

  @Test
  void defaults() {
    QueueSettings queue = load();

    assertThat(queue).isEqualTo(QueueSettings.DEFAULTS);
    assertThat(queue.maxQueueTime()).isNull();
    assertThat(queue.tenantWeights()).isEmpty();
    assertThat(queue.priorityAging()).isEqualTo(Duration.ofMinutes(5));
    assertThat(queue.tenantLabels()).isEqualTo(10);
    assertThat(queue.maxPendingBytes()).isEqualTo(256L * 1024 * 1024);
    assertThat(queue.weightOf("anyone")).isEqualTo(1);
  }

  @Test
  void everySettingIsRead() {
    QueueSettings queue = load("WORKER_MAX_QUEUE_TIME", "10m", "WORKER_TENANT_WEIGHTS", "acme=3, beta = 1,x.y:z@w-_=100",
        "WORKER_PRIORITY_AGING", "30s", "WORKER_TENANT_LABELS", "3", "WORKER_MAX_PENDING_BYTES", "64KiB");

    assertThat(queue.maxQueueTime()).isEqualTo(Duration.ofMinutes(10));
    assertThat(queue.tenantWeights()).containsExactly(Map.entry("acme", 3), Map.entry("beta", 1),
        Map.entry("x.y:z@w-_", 100));
    assertThat(queue.weightOf("acme")).isEqualTo(3);
    assertThat(queue.weightOf("gamma")).isEqualTo(1);
    assertThat(queue.priorityAging()).isEqualTo(Duration.ofSeconds(30));
    assertThat(queue.tenantLabels()).isEqualTo(3);
    assertThat(queue.maxPendingBytes()).isEqualTo(65_536);
  }

  @Test
  void theWeightsAreImmutable() {
    Map<String, Integer> weights = load("WORKER_TENANT_WEIGHTS", "acme=3").tenantWeights();

    assertThatThrownBy(() -> weights.put("beta", 2)).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void sizesTakeBinarySuffixesOrPlainBytes() {
    assertThat(load("WORKER_MAX_PENDING_BYTES", "268435456").maxPendingBytes()).isEqualTo(268_435_456);
    assertThat(load("WORKER_MAX_PENDING_BYTES", "1GiB").maxPendingBytes()).isEqualTo(1L << 30);
    assertThat(load("WORKER_MAX_PENDING_BYTES", "512 mib").maxPendingBytes()).isEqualTo(512L << 20);
    assertThat(load("WORKER_MAX_PENDING_BYTES", "100B").maxPendingBytes()).isEqualTo(100);
  }

  @Test
  void badSizesAreNamed() {
    assertThat(problems("WORKER_MAX_PENDING_BYTES", "lots")).containsExactly("WORKER_MAX_PENDING_BYTES "
        + "(worker.maxPendingBytes) must be a size in bytes like 268435456, 256MiB, 64KiB or 1GiB, got \"lots\"");
    assertThat(problems("WORKER_MAX_PENDING_BYTES", "256MB")).singleElement().asString().contains("got \"256MB\"");
    assertThat(problems("WORKER_MAX_PENDING_BYTES", "-5")).singleElement().asString().contains("got \"-5\"");
    assertThat(problems("WORKER_MAX_PENDING_BYTES", "0")).singleElement().asString().contains("at least 1");
    assertThat(problems("WORKER_MAX_PENDING_BYTES", "9999999999999GiB")).singleElement().asString()
        .contains("got \"9999999999999GiB\"");
    assertThat(problems("WORKER_MAX_PENDING_BYTES", "1.5GiB")).hasSize(1);
  }

  @Test
  void badDurationsAreNamed() {
    assertThat(problems("WORKER_MAX_QUEUE_TIME", "soon")).containsExactly(
        "WORKER_MAX_QUEUE_TIME (worker.maxQueueTime) must be a duration like 15m or 900s, got \"soon\"");
    assertThat(problems("WORKER_PRIORITY_AGING", "0s")).singleElement().asString().contains("above zero");
  }

  @Test
  void badTenantLabelsAreNamed() {
    assertThat(problems("WORKER_TENANT_LABELS", "0")).containsExactly(
        "WORKER_TENANT_LABELS (worker.tenantLabels) must be a whole number ≥ 1, got \"0\"");
  }

  @Test
  void badWeightsAreNamedEachClearly() {
    String label = "WORKER_TENANT_WEIGHTS (worker.tenantWeights)";
    assertThat(problems("WORKER_TENANT_WEIGHTS", "acme")).containsExactly(label
        + " must be tenant=weight pairs separated by commas, like acme=3,beta=1; \"acme\" has no '='");
    assertThat(problems("WORKER_TENANT_WEIGHTS", "acme=0")).containsExactly(label
        + ": the weight of acme must be a whole number 1–100, got \"0\"");
    assertThat(problems("WORKER_TENANT_WEIGHTS", "acme=101")).singleElement().asString().contains("got \"101\"");
    assertThat(problems("WORKER_TENANT_WEIGHTS", "acme=2.5")).singleElement().asString().contains("got \"2.5\"");
    assertThat(problems("WORKER_TENANT_WEIGHTS", "acme=")).singleElement().asString().contains("got \"\"");
    assertThat(problems("WORKER_TENANT_WEIGHTS", "acme corp=2")).containsExactly(label
        + ": tenant \"acme corp\" must not contain whitespace (U+0020 at character 5); allowed: 1–64 ASCII letters,"
        + " digits and - _ . : @");
    assertThat(problems("WORKER_TENANT_WEIGHTS", "=2")).singleElement().asString().contains("must not be empty");
    assertThat(problems("WORKER_TENANT_WEIGHTS", "acme=2,acme=3")).containsExactly(label
        + ": tenant acme is listed twice");
    assertThat(problems("WORKER_TENANT_WEIGHTS", "acme=2,")).singleElement().asString().contains("empty entry");
    assertThat(problems("WORKER_TENANT_WEIGHTS", "a=0,b=x,c")).hasSize(3);
  }
}
