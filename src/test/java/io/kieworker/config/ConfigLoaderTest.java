package io.kieworker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  private static final String KEY = "kie-secret-key-123";

  @TempDir
  Path dir;

  private static Map<String, String> env(String... pairs) {
    Map<String, String> env = new HashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      env.put(pairs[i], pairs[i + 1]);
    }
    return env;
  }

  private static ConfigException failure(Map<String, String> env) {
    try {
      ConfigLoader.load(null, env);
    } catch (ConfigException e) {
      return e;
    }
    throw new AssertionError("expected a ConfigException");
  }

  @Test
  void defaultsFromTheDeclarations() {
    WorkerConfig c = ConfigLoader.load(null, env("KIE_API_KEY", KEY));

    assertThat(c.kafka()).isEqualTo(new KafkaConfig("localhost:9092", "kie-worker", null, Map.of()));
    assertThat(c.topics()).isEqualTo(new TopicsConfig("kie.generation.requests", "kie.generation.results",
        "kie.generation.dlq", "kie.worker.tasks"));
    assertThat(c.kie()).isEqualTo(new KieConfig(KEY, "https://api.kie.ai", "https://kieai.redpandaai.co", null,
        null, "Mozilla/5.0 (compatible; kie-worker/0.1)", Duration.ofSeconds(5), Duration.ofSeconds(30)));
    assertThat(c.kie().callbacksEnabled()).isFalse();
    assertThat(c.http()).isEqualTo(new HttpConfig("0.0.0.0", 8080));
    assertThat(c.worker()).isEqualTo(new WorkerSettings(null, 20, Duration.ofSeconds(10), 10.0,
        Duration.ofMinutes(15), 16, 10_000, 0.8, 1, Duration.ofMinutes(5), Duration.ofHours(24),
        Duration.ofSeconds(1), Duration.ofSeconds(30), 10_485_760, Duration.ofSeconds(1), null, null, false,
        4, 67_108_864,
        Duration.ofMinutes(1), Duration.ofMinutes(10), Duration.ofSeconds(1)));
    assertThat(c.worker().resumeMark()).isEqualTo(8000);
  }

  @Test
  void everyKeyIsOverriddenByItsVariable() {
    Map<String, String> env = env(
        "KAFKA_BOOTSTRAP_SERVERS", "k1:9093,k2:9093",
        "WORKER_GROUP_ID", "g",
        "WORKER_GROUP_INSTANCE_ID", "worker-0",
        "WORKER_REQUEST_TOPIC", "req",
        "WORKER_RESULT_TOPIC", "res",
        "WORKER_DLQ_TOPIC", "dlq",
        "WORKER_LEDGER_TOPIC", "ledger",
        "KIE_API_KEY", KEY,
        "KIE_BASE_URL", "http://127.0.0.1:8089/",
        "KIE_UPLOAD_BASE_URL", "http://127.0.0.1:8090",
        "KIE_CALLBACK_BASE_URL", "https://worker.example.com/cb",
        "KIE_WEBHOOK_HMAC_KEY", "hmac",
        "KIE_USER_AGENT", "ua/1",
        "KIE_CONNECT_TIMEOUT", "250ms",
        "KIE_REQUEST_TIMEOUT", "1m",
        "HTTP_HOST", "127.0.0.1",
        "HTTP_PORT", "9999",
        "WORKER_CALLBACK_SECRET", "cbsecret",
        "WORKER_CREATE_RATE_LIMIT", "5",
        "WORKER_CREATE_RATE_WINDOW", "2s",
        "WORKER_POLL_RATE", "2.5",
        "WORKER_DEADLINE", "900s",
        "WORKER_MAX_INFLIGHT_CREATES", "4",
        "WORKER_MAX_PENDING", "100",
        "WORKER_RESUME_RATIO", "0.5",
        "WORKER_RESUBMIT_5XX", "0",
        "WORKER_AMBIGUOUS_GRACE", "30s",
        "WORKER_DEDUPE_WINDOW", "2d",
        "WORKER_COMMIT_INTERVAL", "500ms",
        "WORKER_SHUTDOWN_TIMEOUT", "10s",
        "WORKER_MAX_REQUEST_BYTES", "2048",
        "WORKER_POLL_TARGET_LATENCY", "3s",
        "WORKER_MAX_INFLIGHT_UPLOADS", "2",
        "WORKER_MAX_UPLOAD_BYTES_INFLIGHT", "1048576",
        "WORKER_QUOTA_RECHECK", "15s",
        "WORKER_MAX_RETRY_AFTER", "90s");

    WorkerConfig c = ConfigLoader.load(null, env);

    assertThat(c.kafka()).isEqualTo(new KafkaConfig("k1:9093,k2:9093", "g", "worker-0", Map.of()));
    assertThat(c.topics()).isEqualTo(new TopicsConfig("req", "res", "dlq", "ledger"));
    assertThat(c.kie()).isEqualTo(new KieConfig(KEY, "http://127.0.0.1:8089", "http://127.0.0.1:8090",
        "https://worker.example.com/cb", "hmac", "ua/1", Duration.ofMillis(250), Duration.ofMinutes(1)));
    assertThat(c.http()).isEqualTo(new HttpConfig("127.0.0.1", 9999));
    assertThat(c.worker()).isEqualTo(new WorkerSettings("cbsecret", 5, Duration.ofSeconds(2), 2.5,
        Duration.ofMinutes(15), 4, 100, 0.5, 0, Duration.ofSeconds(30), Duration.ofDays(2),
        Duration.ofMillis(500), Duration.ofSeconds(10), 2048, Duration.ofSeconds(1), null, Duration.ofSeconds(3), false,
        2, 1_048_576,
        Duration.ofSeconds(15), Duration.ofSeconds(90), Duration.ofSeconds(1)));
    assertThat(c.worker().resumeMark()).isEqualTo(50);
  }

  @Test
  void emptyVariableMeansUnset() {
    WorkerConfig c = ConfigLoader.load(null, env("KIE_API_KEY", KEY, "HTTP_PORT", "", "KIE_CALLBACK_BASE_URL", ""));

    assertThat(c.http().port()).isEqualTo(8080);
    assertThat(c.kie().callbackBaseUrl()).isNull();
  }

  @Test
  void apiKeyFromAFileIsTrimmed() throws Exception {
    Path keyFile = Files.writeString(dir.resolve("key"), "  " + KEY + "\n");

    WorkerConfig c = ConfigLoader.load(null, env("KIE_API_KEY_FILE", keyFile.toString()));

    assertThat(c.kie().apiKey()).isEqualTo(KEY);
  }

  @Test
  void missingApiKey() {
    assertThat(failure(env()).problems())
        .containsExactly("KIE_API_KEY (kie.apiKey) is required: set KIE_API_KEY or KIE_API_KEY_FILE");
  }

  @Test
  void unreadableKeyFile() {
    String missing = dir.resolve("nope").toString();

    assertThat(failure(env("KIE_API_KEY_FILE", missing)).problems())
        .containsExactly("KIE_API_KEY_FILE (kie.apiKeyFile) cannot be read: no such file " + missing);
  }

  @Test
  void emptyKeyFile() throws Exception {
    Path keyFile = Files.writeString(dir.resolve("key"), " \n");

    assertThat(failure(env("KIE_API_KEY_FILE", keyFile.toString())).problems())
        .singleElement().asString().contains("KIE_API_KEY_FILE (kie.apiKeyFile) names an empty file");
  }

  @Test
  void keyAndKeyFileTogether() throws Exception {
    Path keyFile = Files.writeString(dir.resolve("key"), KEY);

    assertThat(failure(env("KIE_API_KEY", KEY, "KIE_API_KEY_FILE", keyFile.toString())).problems())
        .singleElement().asString().contains("both set");
  }

  @Test
  void badDuration() {
    assertThat(failure(env("KIE_API_KEY", KEY, "WORKER_DEADLINE", "soon")).problems()).containsExactly(
        "WORKER_DEADLINE (worker.deadline) must be a duration like 15m or 900s, got \"soon\"");
  }

  @Test
  void durationWithoutUnitOrZeroIsRefused() {
    assertThat(failure(env("KIE_API_KEY", KEY, "KIE_CONNECT_TIMEOUT", "5", "WORKER_COMMIT_INTERVAL", "0s"))
        .problems()).containsExactly(
            "KIE_CONNECT_TIMEOUT (kie.connectTimeout) must be a duration like 15m or 900s, got \"5\"",
            "WORKER_COMMIT_INTERVAL (worker.commitInterval) must be a duration like 15m or 900s above zero, got \"0s\"");
  }

  @Test
  void portOutOfRange() {
    assertThat(failure(env("KIE_API_KEY", KEY, "HTTP_PORT", "70000")).problems())
        .containsExactly("HTTP_PORT (http.port) must be 0–65535, got \"70000\"");
    assertThat(failure(env("KIE_API_KEY", KEY, "HTTP_PORT", "http")).problems())
        .containsExactly("HTTP_PORT (http.port) must be 0–65535, got \"http\"");
  }

  @Test
  void urlsMustBeHttp() {
    assertThat(failure(env("KIE_API_KEY", KEY, "KIE_BASE_URL", "ftp://api.kie.ai",
        "KIE_UPLOAD_BASE_URL", "not a url", "KIE_CALLBACK_BASE_URL", "worker.example.com")).problems())
        .containsExactly(
            "KIE_BASE_URL (kie.baseUrl) must be an http(s) URL, got \"ftp://api.kie.ai\"",
            "KIE_UPLOAD_BASE_URL (kie.uploadBaseUrl) must be an http(s) URL, got \"not a url\" "
                + "(Illegal character in path)",
            "KIE_CALLBACK_BASE_URL (kie.callbackBaseUrl) must be an http(s) URL, got \"worker.example.com\"");
  }

  @Test
  void numbersOutOfRange() {
    assertThat(failure(env("KIE_API_KEY", KEY, "WORKER_RESUME_RATIO", "1.2", "WORKER_POLL_RATE", "0",
        "WORKER_MAX_PENDING", "-1", "WORKER_CREATE_RATE_LIMIT", "many")).problems())
        .containsExactlyInAnyOrder(
            "WORKER_RESUME_RATIO (worker.resumeRatio) must be a number between 0 and 1 (exclusive), got \"1.2\"",
            "WORKER_POLL_RATE (worker.pollRate) must be a number above 0, got \"0\"",
            "WORKER_MAX_PENDING (worker.maxPending) must be a whole number ≥ 1, got \"-1\"",
            "WORKER_CREATE_RATE_LIMIT (worker.createRateLimit) must be a whole number ≥ 1, got \"many\"");
  }

  @Test
  void topicsMustBeLegalAndDistinct() {
    assertThat(failure(env("KIE_API_KEY", KEY, "WORKER_DLQ_TOPIC", "kie.generation.results",
        "WORKER_LEDGER_TOPIC", "tasks!")).problems()).containsExactly(
            "WORKER_LEDGER_TOPIC (topics.ledger) must be a Kafka topic name (letters, digits, '.', '_', '-'), "
                + "got \"tasks!\"",
            "topics must all differ, but \"kie.generation.results\" is used twice");
  }

  @Test
  void listsEveryProblemInOneException() {
    ConfigException e = failure(env("WORKER_DEADLINE", "soon", "HTTP_PORT", "-1", "KIE_BASE_URL", "x"));

    assertThat(e.problems()).hasSize(4);
    assertThat(e.getMessage()).startsWith("invalid configuration (4 problems):")
        .contains("KIE_API_KEY (kie.apiKey) is required", "WORKER_DEADLINE", "HTTP_PORT", "KIE_BASE_URL");
  }

  @Test
  void aFileChangesOnlyItsKeys() throws Exception {
    Path file = Files.writeString(dir.resolve("app.yaml"), """
        http:
          port: 9000
        kafka:
          properties:
            security.protocol: SASL_SSL
            sasl.jaas.config: "${JAAS}"
            linger.ms: 5
            unset.one: "${NOT_SET}"
        """);

    WorkerConfig c = ConfigLoader.load(file, env("KIE_API_KEY", KEY, "JAAS", "jaas-secret"));

    assertThat(c.http().port()).isEqualTo(9000);
    assertThat(c.http().host()).isEqualTo("0.0.0.0");
    assertThat(c.kafka().properties()).containsExactly(Map.entry("security.protocol", "SASL_SSL"),
        Map.entry("sasl.jaas.config", "jaas-secret"), Map.entry("linger.ms", "5"));
    assertThat(c.kafka().toString()).contains("security.protocol=SASL_SSL").doesNotContain("jaas-secret");
  }

  @Test
  void literalValuesAreLabelledByPath() throws Exception {
    Path file = Files.writeString(dir.resolve("app.yaml"), "worker:\n  deadline: later\n");

    assertThat(failure(file, env("KIE_API_KEY", KEY)).problems())
        .containsExactly("worker.deadline must be a duration like 15m or 900s, got \"later\"");
  }

  @Test
  void unknownKeysAreAllReported() throws Exception {
    Path file = Files.writeString(dir.resolve("app.yaml"), "kie:\n  baseUrll: x\nwroker:\n  a: 1\n");

    assertThat(failure(file, env("KIE_API_KEY", KEY)).problems()).containsExactly(
        "unknown key kie.baseUrll (a typo? it would be ignored)",
        "unknown key wroker (a typo? it would be ignored)");
  }

  @Test
  void invalidYaml() throws Exception {
    Path file = Files.writeString(dir.resolve("app.yaml"), "http: [\n");

    assertThat(failure(file, env("KIE_API_KEY", KEY)).problems()).singleElement().asString()
        .startsWith(file + " is not valid YAML");
  }

  @Test
  void secretsAreMaskedInToString() {
    WorkerConfig c = ConfigLoader.load(null, env("KIE_API_KEY", KEY, "KIE_WEBHOOK_HMAC_KEY", "hmac-secret-456",
        "WORKER_CALLBACK_SECRET", "callback-secret-789"));

    String text = c.toString();

    assertThat(text).doesNotContain(KEY, "hmac-secret-456", "callback-secret-789")
        .contains("apiKey=****", "webhookHmacKey=****", "callbackSecret=****", "baseUrl=https://api.kie.ai");
    assertThat(ConfigLoader.load(null, env("KIE_API_KEY", KEY)).toString()).contains("webhookHmacKey=null");
  }

  @Test
  void problemsNeverEchoTheApiKey() throws Exception {
    Path keyFile = Files.writeString(dir.resolve("key"), KEY);
    ConfigException e = failure(env("KIE_API_KEY", KEY, "KIE_API_KEY_FILE", keyFile.toString(), "HTTP_PORT", "x"));

    assertThat(e.getMessage()).doesNotContain(KEY);
  }

  private static ConfigException failure(Path file, Map<String, String> env) {
    try {
      ConfigLoader.load(file, env);
    } catch (ConfigException e) {
      return e;
    }
    throw new AssertionError("expected a ConfigException");
  }
}
