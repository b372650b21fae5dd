package io.kieworker.config;

import static io.kieworker.config.Parsers.baseUrl;
import static io.kieworker.config.Parsers.duration;
import static io.kieworker.config.Parsers.intIn;
import static io.kieworker.config.Parsers.oneOf;
import static io.kieworker.config.Parsers.positiveNumber;
import static io.kieworker.config.Parsers.ratio;
import static io.kieworker.config.Parsers.size;
import static io.kieworker.config.Parsers.text;
import static io.kieworker.config.Parsers.topic;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Every setting of kie-worker, declared once. To add one: declare it here, add its field to the
 * record that carries it ({@link WorkerSettings}, …) and bind it in {@link ConfigBinder}; then run
 * {@code mvn test -Dtest=SettingsDocsTest -Dsettings.write=true} to rewrite the README table and
 * {@code conf/application.yaml} from this list (the test fails while they are out of step).
 */
public final class Settings {
  private static final List<Setting<?>> ALL = new ArrayList<>();

  // ---- kafka -------------------------------------------------------------------------------------
  public static final Setting<String> BOOTSTRAP_SERVERS = add("kafka.bootstrapServers", "KAFKA_BOOTSTRAP_SERVERS",
      "localhost:9092", "host:port,…", "Kafka brokers", text(true));
  public static final Setting<String> GROUP_ID = add("kafka.groupId", "WORKER_GROUP_ID", "kie-worker", "text",
      "consumer group", text(true));
  public static final Setting<String> GROUP_INSTANCE_ID = add("kafka.groupInstanceId", "WORKER_GROUP_INSTANCE_ID",
      null, "text", "static membership (e.g. the pod name): no rebalance on every restart", text(false));

  // ---- topics ------------------------------------------------------------------------------------
  public static final Setting<String> REQUEST_TOPIC = add("topics.requests", "WORKER_REQUEST_TOPIC",
      "kie.generation.requests", "topic", "requests (must exist; its partition count sets the others')", topic());
  public static final Setting<String> RESULT_TOPIC = add("topics.results", "WORKER_RESULT_TOPIC",
      "kie.generation.results", "topic", "one terminal result per request", topic());
  public static final Setting<String> DLQ_TOPIC = add("topics.dlq", "WORKER_DLQ_TOPIC", "kie.generation.dlq",
      "topic", "unparseable or rejected input, with provenance headers", topic());
  public static final Setting<String> LEDGER_TOPIC = add("topics.ledger", "WORKER_LEDGER_TOPIC", "kie.worker.tasks",
      "topic", "internal task ledger (compacted)", topic());
  public static final Setting<String> DEMAND_TOPIC = add("topics.demand", "WORKER_DEMAND_TOPIC", "kie.worker.demand",
      "topic", "internal demand reports that share the create limit (compacted, 1 partition; one per Kie.ai account)",
      topic());

  // ---- kie ---------------------------------------------------------------------------------------
  public static final Setting<String> API_KEY = secret("kie.apiKey", "KIE_API_KEY", null,
      "Bearer key (this or KIE_API_KEY_FILE is required)");
  public static final Setting<String> API_KEY_FILE = add("kie.apiKeyFile", "KIE_API_KEY_FILE", null, "path",
      "a file holding the Bearer key (content trimmed)", text(false));
  public static final Setting<String> BASE_URL = add("kie.baseUrl", "KIE_BASE_URL", "https://api.kie.ai", "URL",
      "API base", baseUrl(true));
  public static final Setting<String> UPLOAD_BASE_URL = add("kie.uploadBaseUrl", "KIE_UPLOAD_BASE_URL",
      "https://kieai.redpandaai.co", "URL", "File Upload API base", baseUrl(true));
  public static final Setting<String> CALLBACK_BASE_URL = add("kie.callbackBaseUrl", "KIE_CALLBACK_BASE_URL", null,
      "URL", "public base URL of this worker's callback route; unset = poll only", baseUrl(false));
  public static final Setting<String> WEBHOOK_HMAC_KEY = secret("kie.webhookHmacKey", "KIE_WEBHOOK_HMAC_KEY", null,
      "verify Kie.ai's callback signature when set; required with WORKER_CALLBACK_TRUST=token");
  public static final Setting<String> USER_AGENT = add("kie.userAgent", "KIE_USER_AGENT",
      "Mozilla/5.0 (compatible; kie-worker/0.1)", "text", "User-Agent of every Kie.ai call", text(true));
  public static final Setting<Duration> CONNECT_TIMEOUT = add("kie.connectTimeout", "KIE_CONNECT_TIMEOUT", "5s",
      "duration", "TCP/TLS connect timeout of Kie.ai calls", duration(true));
  public static final Setting<Duration> REQUEST_TIMEOUT = add("kie.requestTimeout", "KIE_REQUEST_TIMEOUT", "30s",
      "duration", "whole-call timeout of Kie.ai calls", duration(true));

  // ---- http --------------------------------------------------------------------------------------
  public static final Setting<String> HTTP_HOST = add("http.host", "HTTP_HOST", "0.0.0.0", "address",
      "address the HTTP server binds", text(true));
  public static final Setting<Integer> HTTP_PORT = add("http.port", "HTTP_PORT", "8080", "0–65535",
      "callback route, /health/live, /health/ready, /metrics", intIn(0, 65_535));

  // ---- worker ------------------------------------------------------------------------------------
  public static final Setting<String> CALLBACK_SECRET = secret("worker.callbackSecret", "WORKER_CALLBACK_SECRET",
      null, "signs the callback URL tokens (same on every instance); unset = derived from the key");
  public static final Setting<Integer> CREATE_RATE_LIMIT = add("worker.createRateLimit", "WORKER_CREATE_RATE_LIMIT",
      "20", "integer ≥ 1", "Kie.ai's create limit for the account, per WORKER_CREATE_RATE_WINDOW",
      intIn(1, Integer.MAX_VALUE));
  public static final Setting<Duration> CREATE_RATE_WINDOW = add("worker.createRateWindow",
      "WORKER_CREATE_RATE_WINDOW", "10s", "duration", "the window of the create limit", duration(true));
  public static final Setting<Duration> DEMAND_INTERVAL = add("worker.demandInterval", "WORKER_DEMAND_INTERVAL", "1s",
      "duration", "how often each instance reports its create demand to the group (a report lives 3 intervals)",
      duration(true));
  public static final Setting<Double> POLL_RATE = add("worker.pollRate", "WORKER_POLL_RATE", "10", "number > 0",
      "status reads per second for the key (the whole group)", positiveNumber());
  public static final Setting<Duration> DEADLINE = add("worker.deadline", "WORKER_DEADLINE", "15m", "duration",
      "no terminal state by then → TIMED_OUT", duration(true));
  public static final Setting<Integer> MAX_INFLIGHT_CREATES = add("worker.maxInflightCreates",
      "WORKER_MAX_INFLIGHT_CREATES", "16", "integer ≥ 1", "concurrent createTask calls", intIn(1, Integer.MAX_VALUE));
  public static final Setting<Integer> MAX_PENDING = add("worker.maxPending", "WORKER_MAX_PENDING", "10000",
      "integer ≥ 1", "pause the request partitions at this many pending tasks", intIn(1, Integer.MAX_VALUE));
  public static final Setting<Double> RESUME_RATIO = add("worker.resumeRatio", "WORKER_RESUME_RATIO", "0.8",
      "0 < x < 1", "resume at this fraction of WORKER_MAX_PENDING", ratio());
  public static final Setting<Integer> RESUBMIT_5XX = add("worker.resubmit5xx", "WORKER_RESUBMIT_5XX", "1", "0–100",
      "resubmissions of a task that Kie.ai failed with a 5xx code", intIn(0, 100));
  public static final Setting<Duration> AMBIGUOUS_GRACE = add("worker.ambiguousGrace", "WORKER_AMBIGUOUS_GRACE", "5m",
      "duration", "how long an ambiguous create waits for its callback before it is submitted again",
      duration(true));
  public static final Setting<Duration> DEDUPE_WINDOW = add("worker.dedupeWindow", "WORKER_DEDUPE_WINDOW", "24h",
      "duration", "a request id seen again inside it gets its stored result, no new task", duration(true));
  public static final Setting<Duration> COMMIT_INTERVAL = add("worker.commitInterval", "WORKER_COMMIT_INTERVAL", "1s",
      "duration", "how often request offsets are committed", duration(true));
  public static final Setting<Duration> SHUTDOWN_TIMEOUT = add("worker.shutdownTimeout", "WORKER_SHUTDOWN_TIMEOUT",
      "30s", "duration", "bound on a graceful stop (SIGTERM)", duration(true));
  public static final Setting<Integer> MAX_REQUEST_BYTES = add("worker.maxRequestBytes", "WORKER_MAX_REQUEST_BYTES",
      "10485760", "integer ≥ 1", "largest request message accepted (bytes)", intIn(1, Integer.MAX_VALUE));
  public static final Setting<Duration> POLL_MIN_GAP = add("worker.pollMinGap", "WORKER_POLL_MIN_GAP", "1s",
      "duration", "shortest wait between two status reads of one task", duration(true));
  public static final Setting<Duration> EXPECTED_DURATION = add("worker.expectedDuration", "WORKER_EXPECTED_DURATION",
      null, "duration", "typical generation time before any completion is observed; unset = per model (registry)",
      duration(false));
  public static final Setting<Duration> POLL_TARGET_LATENCY = add("worker.pollTargetLatency",
      "WORKER_POLL_TARGET_LATENCY", null, "duration", "poll-only: the mean completion → result delay the poll plan "
          + "aims for, spending fewer reads when a looser target is fine; unset = the best the read budget allows "
          + "(docs/benchmarks.md, polling)", duration(false));
  public static final Setting<String> CALLBACK_TRUST = add("worker.callbackTrust", "WORKER_CALLBACK_TRUST", "confirm",
      "confirm | token", "confirm: a callback triggers one status read; token: a signed callback is trusted (requires "
          + "KIE_WEBHOOK_HMAC_KEY; a 5xx failure is still confirmed by a read before resubmitting)",
      oneOf("confirm", "token"));

  public static final Setting<Integer> MAX_INFLIGHT_UPLOADS = add("worker.maxInflightUploads",
      "WORKER_MAX_INFLIGHT_UPLOADS", "4", "integer ≥ 1", "inline (data:) image uploads under way at once; the rest wait in order",
      intIn(1, Integer.MAX_VALUE));
  public static final Setting<Integer> MAX_UPLOAD_BYTES_INFLIGHT = add("worker.maxUploadBytesInflight",
      "WORKER_MAX_UPLOAD_BYTES_INFLIGHT", "67108864", "integer ≥ 1",
      "bytes of upload request bodies held at once (64 MiB); one larger image still goes, alone",
      intIn(1, Integer.MAX_VALUE));

  public static final Setting<Duration> QUOTA_RECHECK = add("worker.quotaRecheck", "WORKER_QUOTA_RECHECK", "1m",
      "duration", "after a 433 (sub-key usage limit) creates pause; one create probes the limit this often",
      duration(true));
  public static final Setting<Duration> MAX_RETRY_AFTER = add("worker.maxRetryAfter", "WORKER_MAX_RETRY_AFTER", "10m",
      "duration", "longest wait a 429's Retry-After may impose on creates (larger, overflowing or dated values are "
          + "capped; garbage is ignored)", duration(true));

  // The create queue (issue 10): priorities age, tenants share by weight, deadlines expire requests.
  public static final Setting<Duration> MAX_QUEUE_TIME = add("worker.maxQueueTime", "WORKER_MAX_QUEUE_TIME", null,
      "duration", "a request whose create has not started this long after its record's timestamp ends EXPIRED "
          + "(unpaid); unset = no limit but the request's own expiresAt", duration(false));
  public static final Setting<java.util.Map<String, Integer>> TENANT_WEIGHTS = add("worker.tenantWeights",
      "WORKER_TENANT_WEIGHTS", null, "tenant=weight,…", "shares of creates between tenants within a priority, "
          + "weights 1–100 (e.g. acme=3,beta=1); unset or unlisted = 1", TenantWeights.parser());
  public static final Setting<Duration> PRIORITY_AGING = add("worker.priorityAging", "WORKER_PRIORITY_AGING", "5m",
      "duration", "a queued priority counts one step higher per such wait of its oldest request: high goes "
          + "before normal requests queued up to this long before it; low waiting twice this competes as a fresh "
          + "high", duration(true));
  public static final Setting<Integer> TENANT_LABELS = add("worker.tenantLabels", "WORKER_TENANT_LABELS", "10",
      "integer ≥ 1", "tenants (most queued first) with their own metric label; the rest are counted as other",
      intIn(1, Integer.MAX_VALUE));
  public static final Setting<Long> MAX_PENDING_BYTES = add("worker.maxPendingBytes", "WORKER_MAX_PENDING_BYTES",
      "256MiB", "size", "with WORKER_MAX_PENDING, the read-ahead's memory bound: bytes of request values held by "
          + "pending tasks (B, KiB, MiB, GiB)", size(1));

  // ---- store (issue 13: result images copied into the user's S3-API bucket) ------------------
  public static final Setting<StoreConfig.Location> RESULT_STORE = add("store.location", "WORKER_RESULT_STORE", null,
      "s3://bucket/prefix", "copy every result image there before publishing (README \"Result store\"); unset = off",
      StoreConfig.Location.parser());
  public static final Setting<String> RESULT_STORE_ENDPOINT = add("store.endpoint", "WORKER_RESULT_STORE_ENDPOINT",
      null, "URL", "S3-compatible endpoint (MinIO, Ceph, R2, a local test server); unset = AWS S3", baseUrl(false));
  public static final Setting<String> RESULT_STORE_PUBLIC_BASE = add("store.publicBase",
      "WORKER_RESULT_STORE_PUBLIC_BASE", null, "URL",
      "storedUrls become <base>/<key> (a CDN or public bucket); unset = s3://bucket/key", baseUrl(false));
  public static final Setting<Duration> RESULT_STORE_PRESIGN = add("store.presign", "WORKER_RESULT_STORE_PRESIGN", null,
      "duration ≤ 7d", "storedUrls become presigned GET URLs of this lifetime (ignored with a public base)",
      StoreConfig.presignParser());
  public static final Setting<Duration> RESULT_STORE_MAX_WAIT = add("store.maxWait", "WORKER_RESULT_STORE_MAX_WAIT",
      "10m", "duration", "a failing copy is retried this long; then the result is published SUCCEEDED with storeError",
      duration(true));
  public static final Setting<java.util.Set<String>> RESULT_FETCH_ALLOW_HTTP = add("store.fetchAllowHttp",
      "WORKER_RESULT_FETCH_ALLOW_HTTP", null, "host,…",
      "hosts whose result URLs may be plain http and resolve to private addresses (local simulators)",
      StoreConfig.hostsParser());
  public static final Setting<Integer> RESULT_FETCH_MAX_BYTES = add("store.fetchMaxBytes",
      "WORKER_RESULT_FETCH_MAX_BYTES", "52428800", "integer ≥ 1024",
      "largest result image copied (bytes); a larger one gives storeError STORE_TOO_LARGE",
      intIn(1024, Integer.MAX_VALUE));

  private Settings() {}

  /** Every setting, in declaration order (sections in file order). */
  public static List<Setting<?>> all() {
    return Collections.unmodifiableList(ALL);
  }

  private static <T> Setting<T> add(String path, String env, String defaultText, String type, String description,
      Setting.Parser<T> parser) {
    Setting<T> setting = new Setting<>(path, env, defaultText, type, description, false, parser);
    ALL.add(setting);
    return setting;
  }

  private static Setting<String> secret(String path, String env, String defaultText, String description) {
    Setting<String> setting = new Setting<>(path, env, defaultText, "secret", description, true, text(false));
    ALL.add(setting);
    return setting;
  }
}
