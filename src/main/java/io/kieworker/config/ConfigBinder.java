package io.kieworker.config;

import static io.kieworker.config.Parsers.quoted;
import static io.kieworker.config.Settings.*;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Builds the typed configuration records from {@link ConfigValues}, then checks the rules that
 * span settings (one API key source, distinct topics). Every problem is collected before failing.
 */
final class ConfigBinder {
  private final ConfigValues values;

  ConfigBinder(ConfigValues values) {
    this.values = values;
  }

  WorkerConfig bind() {
    WorkerConfig config = new WorkerConfig(kafka(), topics(), kie(), http(), worker(), store(), queue());
    checkTrustedCallbacksAreSigned(config);
    failOnProblems();
    return config;
  }

  KafkaAccess bindKafkaAccess() {
    KafkaAccess access = new KafkaAccess(kafka(), topics());
    failOnProblems();
    return access;
  }

  private void failOnProblems() {
    if (!values.problems().isEmpty()) {
      throw new ConfigException(values.problems());
    }
  }

  private KafkaConfig kafka() {
    return new KafkaConfig(values.get(BOOTSTRAP_SERVERS), values.get(GROUP_ID), values.get(GROUP_INSTANCE_ID),
        values.kafkaProperties());
  }

  private TopicsConfig topics() {
    TopicsConfig topics = new TopicsConfig(values.get(REQUEST_TOPIC), values.get(RESULT_TOPIC),
        values.get(DLQ_TOPIC), values.get(LEDGER_TOPIC), values.get(DEMAND_TOPIC));
    Set<String> seen = new HashSet<>();
    for (String name : List.of(String.valueOf(topics.requests()), String.valueOf(topics.results()),
        String.valueOf(topics.dlq()), String.valueOf(topics.ledger()), String.valueOf(topics.demand()))) {
      if (!name.equals("null") && !seen.add(name)) {
        values.problem("topics must all differ, but " + quoted(name) + " is used twice");
      }
    }
    return topics;
  }

  private KieConfig kie() {
    return new KieConfig(apiKey(), values.get(BASE_URL), values.get(UPLOAD_BASE_URL), values.get(CALLBACK_BASE_URL),
        values.get(WEBHOOK_HMAC_KEY), values.get(USER_AGENT), values.get(CONNECT_TIMEOUT),
        values.get(REQUEST_TIMEOUT));
  }

  private HttpConfig http() {
    return new HttpConfig(values.get(HTTP_HOST), orZero(values.get(HTTP_PORT)));
  }

  private WorkerSettings worker() {
    return new WorkerSettings(
        values.get(CALLBACK_SECRET),
        orZero(values.get(CREATE_RATE_LIMIT)),
        values.get(CREATE_RATE_WINDOW),
        orZero(values.get(POLL_RATE)),
        values.get(DEADLINE),
        orZero(values.get(MAX_INFLIGHT_CREATES)),
        orZero(values.get(MAX_PENDING)),
        orZero(values.get(RESUME_RATIO)),
        orZero(values.get(RESUBMIT_5XX)),
        values.get(AMBIGUOUS_GRACE),
        values.get(DEDUPE_WINDOW),
        values.get(COMMIT_INTERVAL),
        values.get(SHUTDOWN_TIMEOUT),
        orZero(values.get(MAX_REQUEST_BYTES)),
        values.get(POLL_MIN_GAP),
        values.get(EXPECTED_DURATION),
        values.get(POLL_TARGET_LATENCY),
        "token".equals(values.get(CALLBACK_TRUST)),
        orZero(values.get(MAX_INFLIGHT_UPLOADS)),
        orZero(values.get(MAX_UPLOAD_BYTES_INFLIGHT)),
        values.get(QUOTA_RECHECK),
        values.get(MAX_RETRY_AFTER),
        values.get(DEMAND_INTERVAL));
  }

  private QueueSettings queue() {
    Integer labels = values.get(TENANT_LABELS);
    Long maxPendingBytes = values.get(MAX_PENDING_BYTES);
    return new QueueSettings(values.get(MAX_QUEUE_TIME), values.get(TENANT_WEIGHTS), values.get(PRIORITY_AGING),
        orZero(labels), maxPendingBytes == null ? 0 : maxPendingBytes);
  }

  private StoreConfig store() {
    StoreConfig.Location location = values.get(RESULT_STORE);
    String endpoint = values.get(RESULT_STORE_ENDPOINT);
    Integer maxBytes = values.get(RESULT_FETCH_MAX_BYTES);
    return new StoreConfig(location == null ? null : location.bucket(), location == null ? "" : location.prefix(),
        endpoint == null ? null : java.net.URI.create(endpoint), values.get(RESULT_STORE_PUBLIC_BASE),
        values.get(RESULT_STORE_PRESIGN), values.get(RESULT_STORE_MAX_WAIT), values.get(RESULT_FETCH_ALLOW_HTTP),
        maxBytes == null ? 0 : maxBytes);
  }

  /**
   * Trusting a callback's body is only safe when Kie.ai's signature proves who sent it: the URL
   * token alone travels with every copy of the URL (Kie.ai's task record shows it).
   */
  private void checkTrustedCallbacksAreSigned(WorkerConfig config) {
    if (config.worker().trustCallbacks() && config.kie().webhookHmacKey() == null) {
      values.problem(values.label(CALLBACK_TRUST) + " is token, which needs " + values.label(WEBHOOK_HMAC_KEY)
          + " to verify Kie.ai's callback signature: set the key, or use confirm");
    }
  }

  /** KIE_API_KEY or the trimmed content of KIE_API_KEY_FILE; the value itself never enters a message. */
  private String apiKey() {
    String key = values.get(API_KEY);
    String file = values.get(API_KEY_FILE);
    if (key != null && file != null) {
      values.problem(values.label(API_KEY) + " and " + values.label(API_KEY_FILE) + " are both set: set only one");
      return null;
    }
    if (file != null) {
      return readKeyFile(values.label(API_KEY_FILE), file);
    }
    if (key == null) {
      values.problem(values.label(API_KEY) + " is required: set " + API_KEY.env() + " or " + API_KEY_FILE.env());
    }
    return key;
  }

  private String readKeyFile(String fileLabel, String file) {
    try {
      String content = Files.readString(Path.of(file)).trim();
      if (content.isEmpty()) {
        values.problem(fileLabel + " names an empty file: " + file);
        return null;
      }
      return content;
    } catch (NoSuchFileException e) {
      values.problem(fileLabel + " cannot be read: no such file " + file);
    } catch (AccessDeniedException e) {
      values.problem(fileLabel + " cannot be read: permission denied for " + file);
    } catch (MalformedInputException e) {
      values.problem(fileLabel + " cannot be read: " + file + " is not UTF-8 text");
    } catch (IOException | InvalidPathException e) {
      values.problem(fileLabel + " cannot be read: " + file + " (" + e.getClass().getSimpleName() + ")");
    }
    return null;
  }

  private static int orZero(Integer value) {
    return value == null ? 0 : value;
  }

  private static double orZero(Double value) {
    return value == null ? 0 : value;
  }
}
