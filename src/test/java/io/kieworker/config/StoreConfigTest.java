package io.kieworker.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The result store's settings (issue 13). */
@Tag("unit")
class StoreConfigTest {
  private static Map<String, String> env(String... pairs) {
    Map<String, String> env = new HashMap<>();
    env.put("KIE_API_KEY", "kie-secret-key-123");
    for (int i = 0; i < pairs.length; i += 2) {
      env.put(pairs[i], pairs[i + 1]);
    }
    return env;
  }

  @Test
  void offByDefault() {
    StoreConfig store = ConfigLoader.load(null, env()).store();
    assertThat(store.enabled()).isFalse();
    assertThat(store.maxWait()).isEqualTo(Duration.ofMinutes(10));
    assertThat(store.fetchMaxBytes()).isEqualTo(52_428_800L);
    assertThat(store.fetchAllowHttp()).isEmpty();
  }

  @Test
  void everyStoreSettingIsRead() {
    StoreConfig store = ConfigLoader.load(null, env(
        "WORKER_RESULT_STORE", "s3://my-images/kie/results/",
        "WORKER_RESULT_STORE_ENDPOINT", "http://127.0.0.1:9000/",
        "WORKER_RESULT_STORE_PUBLIC_BASE", "https://cdn.example.com/img",
        "WORKER_RESULT_STORE_PRESIGN", "1h",
        "WORKER_RESULT_STORE_MAX_WAIT", "30s",
        "WORKER_RESULT_FETCH_ALLOW_HTTP", "127.0.0.1, Sim.Local:8080",
        "WORKER_RESULT_FETCH_MAX_BYTES", "2048")).store();
    assertThat(store).isEqualTo(new StoreConfig("my-images", "kie/results", URI.create("http://127.0.0.1:9000"),
        "https://cdn.example.com/img", Duration.ofHours(1), Duration.ofSeconds(30),
        Set.of("127.0.0.1", "sim.local:8080"), 2048));
    assertThat(store.location()).isEqualTo("s3://my-images/kie/results");
  }

  @Test
  void badValuesAreNamedWithTheirVariable() {
    ConfigException e = failure(env("WORKER_RESULT_STORE", "https://my-images/x",
        "WORKER_RESULT_STORE_PRESIGN", "8d", "WORKER_RESULT_FETCH_MAX_BYTES", "10"));
    assertThat(String.join("\n", e.problems()))
        .contains("WORKER_RESULT_STORE (store.location) must look like s3://bucket/prefix")
        .contains("WORKER_RESULT_STORE_PRESIGN (store.presign) must be at most 7d")
        .contains("WORKER_RESULT_FETCH_MAX_BYTES (store.fetchMaxBytes) must be a whole number ≥ 1024");
    assertThat(failure(env("WORKER_RESULT_STORE", "s3://Bad_Bucket")).problems().get(0))
        .contains("a valid bucket name");
  }

  private static ConfigException failure(Map<String, String> env) {
    try {
      ConfigLoader.load(null, env);
    } catch (ConfigException e) {
      return e;
    }
    throw new AssertionError("expected a ConfigException");
  }
}
