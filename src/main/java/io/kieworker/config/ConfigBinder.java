package io.kieworker.config;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.MalformedInputException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Turns {@link RawConfig} into typed records, collecting every problem before failing. */
final class ConfigBinder {
  private static final Pattern TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");
  private static final String DURATION_HINT = "a duration like 15m or 900s";

  private final Map<String, String> envNames;
  private final List<String> problems;

  ConfigBinder(Map<String, String> envNames, List<String> problems) {
    this.envNames = envNames;
    this.problems = problems;
  }

  WorkerConfig bind(RawConfig raw) {
    WorkerConfig config = new WorkerConfig(kafka(raw.kafka()), topics(raw.topics()), kie(raw.kie()),
        http(raw.http()), worker(raw.worker()));
    checkTrustedCallbacksAreSigned(config);
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return config;
  }

  private KafkaConfig kafka(RawConfig.Kafka k) {
    Map<String, String> properties = new LinkedHashMap<>();
    if (k.properties() != null) {
      k.properties().forEach((key, value) -> {
        if (value != null) {
          properties.put(key, value);
        }
      });
    }
    return new KafkaConfig(required("kafka.bootstrapServers", k.bootstrapServers()),
        required("kafka.groupId", k.groupId()), optional(k.groupInstanceId()), properties);
  }

  private TopicsConfig topics(RawConfig.Topics t) {
    TopicsConfig topics = new TopicsConfig(topic("topics.requests", t.requests()),
        topic("topics.results", t.results()), topic("topics.dlq", t.dlq()), topic("topics.ledger", t.ledger()));
    List<String> names = List.of(String.valueOf(topics.requests()), String.valueOf(topics.results()),
        String.valueOf(topics.dlq()), String.valueOf(topics.ledger()));
    Set<String> seen = new HashSet<>();
    for (String name : names) {
      if (!name.equals("null") && !seen.add(name)) {
        problems.add("topics must all differ, but " + quoted(name) + " is used twice");
      }
    }
    return topics;
  }

  private KieConfig kie(RawConfig.Kie k) {
    return new KieConfig(apiKey(k),
        url("kie.baseUrl", k.baseUrl(), true),
        url("kie.uploadBaseUrl", k.uploadBaseUrl(), true),
        url("kie.callbackBaseUrl", k.callbackBaseUrl(), false),
        optional(k.webhookHmacKey()),
        required("kie.userAgent", k.userAgent()),
        duration("kie.connectTimeout", k.connectTimeout()),
        duration("kie.requestTimeout", k.requestTimeout()));
  }

  private HttpConfig http(RawConfig.Http h) {
    return new HttpConfig(required("http.host", h.host()), intIn("http.port", h.port(), 0, 65_535));
  }

  private WorkerSettings worker(RawConfig.Worker w) {
    int maxPending = intIn("worker.maxPending", w.maxPending(), 1, Integer.MAX_VALUE);
    return new WorkerSettings(
        optional(w.callbackSecret()),
        intIn("worker.createRateLimit", w.createRateLimit(), 1, Integer.MAX_VALUE),
        duration("worker.createRateWindow", w.createRateWindow()),
        positiveNumber("worker.pollRate", w.pollRate()),
        duration("worker.deadline", w.deadline()),
        intIn("worker.maxInflightCreates", w.maxInflightCreates(), 1, Integer.MAX_VALUE),
        maxPending,
        ratio("worker.resumeRatio", w.resumeRatio()),
        intIn("worker.resubmit5xx", w.resubmit5xx(), 0, 100),
        duration("worker.ambiguousGrace", w.ambiguousGrace()),
        duration("worker.dedupeWindow", w.dedupeWindow()),
        duration("worker.commitInterval", w.commitInterval()),
        duration("worker.shutdownTimeout", w.shutdownTimeout()),
        intIn("worker.maxRequestBytes", w.maxRequestBytes(), 1, Integer.MAX_VALUE),
        duration("worker.pollMinGap", w.pollMinGap()),
        optional(w.expectedDuration()) == null ? null : duration("worker.expectedDuration", w.expectedDuration()),
        callbackTrust(w.callbackTrust()),
        intIn("worker.maxInflightUploads", w.maxInflightUploads(), 1, Integer.MAX_VALUE),
        intIn("worker.maxUploadBytesInflight", w.maxUploadBytesInflight(), 1, Integer.MAX_VALUE),
        duration("worker.quotaRecheck", w.quotaRecheck()),
        duration("worker.maxRetryAfter", w.maxRetryAfter()));
  }

  /**
   * Trusting a callback's body is only safe when Kie.ai's signature proves who sent it: the URL
   * token alone travels with every copy of the URL (Kie.ai's task record shows it).
   */
  private void checkTrustedCallbacksAreSigned(WorkerConfig config) {
    if (config.worker().trustCallbacks() && config.kie().webhookHmacKey() == null) {
      problems.add(label("worker.callbackTrust") + " is token, which needs " + label("kie.webhookHmacKey")
          + " to verify Kie.ai's callback signature: set the key, or use confirm");
    }
  }

  /** {@code confirm} (default): a callback triggers a recordInfo read; {@code token}: its body is trusted. */
  private boolean callbackTrust(String value) {
    String v = optional(value);
    if (v == null || v.equals("confirm")) {
      return false;
    }
    if (v.equals("token")) {
      return true;
    }
    problems.add(label("worker.callbackTrust") + " must be confirm or token, got " + quoted(v));
    return false;
  }

  /** KIE_API_KEY or the trimmed content of KIE_API_KEY_FILE; the value itself never enters a message. */
  private String apiKey(RawConfig.Kie k) {
    String key = optional(k.apiKey());
    String file = optional(k.apiKeyFile());
    String keyLabel = label("kie.apiKey");
    String fileLabel = label("kie.apiKeyFile");
    if (key != null && file != null) {
      problems.add(keyLabel + " and " + fileLabel + " are both set: set only one");
      return null;
    }
    if (file != null) {
      return readKeyFile(fileLabel, file);
    }
    if (key == null) {
      problems.add(keyLabel + " is required: set " + envOr("kie.apiKey", "kie.apiKey") + " or "
          + envOr("kie.apiKeyFile", "kie.apiKeyFile"));
    }
    return key == null ? null : key.trim();
  }

  private String readKeyFile(String fileLabel, String file) {
    try {
      String content = Files.readString(Path.of(file)).trim();
      if (content.isEmpty()) {
        problems.add(fileLabel + " names an empty file: " + file);
        return null;
      }
      return content;
    } catch (NoSuchFileException e) {
      problems.add(fileLabel + " cannot be read: no such file " + file);
    } catch (AccessDeniedException e) {
      problems.add(fileLabel + " cannot be read: permission denied for " + file);
    } catch (MalformedInputException e) {
      problems.add(fileLabel + " cannot be read: " + file + " is not UTF-8 text");
    } catch (IOException | InvalidPathException e) {
      problems.add(fileLabel + " cannot be read: " + file + " (" + e.getClass().getSimpleName() + ")");
    }
    return null;
  }

  private String required(String path, String value) {
    if (value == null || value.isBlank()) {
      problems.add(label(path) + " is required");
      return null;
    }
    return value.trim();
  }

  private static String optional(String value) {
    return value == null || value.isBlank() ? null : value.trim();
  }

  private String topic(String path, String value) {
    String name = required(path, value);
    if (name != null && !TOPIC.matcher(name).matches()) {
      problems.add(label(path) + " must be a Kafka topic name (letters, digits, '.', '_', '-'), got " + quoted(name));
    }
    return name;
  }

  private String url(String path, String value, boolean isRequired) {
    String text = isRequired ? required(path, value) : optional(value);
    if (text == null) {
      return null;
    }
    try {
      URI uri = new URI(text);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
        problems.add(label(path) + " must be an http(s) URL, got " + quoted(text));
        return null;
      }
      if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
        problems.add(label(path) + " must be a base URL without query or fragment, got " + quoted(text));
        return null;
      }
      return text.replaceAll("/+$", "");
    } catch (URISyntaxException e) {
      problems.add(label(path) + " must be an http(s) URL, got " + quoted(text) + " (" + e.getReason() + ")");
      return null;
    }
  }

  private Duration duration(String path, String value) {
    String text = required(path, value);
    if (text == null) {
      return null;
    }
    Duration d = Durations.parse(text).orElse(null);
    if (d == null || d.isZero()) {
      problems.add(label(path) + " must be " + DURATION_HINT + (d == null ? "" : " above zero")
          + ", got " + quoted(text));
      return null;
    }
    return d;
  }

  private int intIn(String path, String value, int min, int max) {
    String text = required(path, value);
    if (text == null) {
      return 0;
    }
    String range = max == Integer.MAX_VALUE ? "a whole number ≥ " + min : min + "–" + max;
    try {
      long n = Long.parseLong(text);
      if (n >= min && n <= max) {
        return (int) n;
      }
    } catch (NumberFormatException e) {
      // reported below, with the range
    }
    problems.add(label(path) + " must be " + range + ", got " + quoted(text));
    return 0;
  }

  private double positiveNumber(String path, String value) {
    String text = required(path, value);
    if (text == null) {
      return 0;
    }
    try {
      double d = Double.parseDouble(text);
      if (d > 0 && Double.isFinite(d)) {
        return d;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    problems.add(label(path) + " must be a number above 0, got " + quoted(text));
    return 0;
  }

  private double ratio(String path, String value) {
    String text = required(path, value);
    if (text == null) {
      return 0;
    }
    try {
      double d = Double.parseDouble(text);
      if (d > 0 && d < 1) {
        return d;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    problems.add(label(path) + " must be a number between 0 and 1 (exclusive), got " + quoted(text));
    return 0;
  }

  /** "WORKER_DEADLINE (worker.deadline)", or the path alone when the file holds a literal there. */
  private String label(String path) {
    String env = envNames.get(path);
    return env == null ? path : env + " (" + path + ")";
  }

  private String envOr(String path, String fallback) {
    return envNames.getOrDefault(path, fallback);
  }

  private static String quoted(String value) {
    String shown = value.length() > 80 ? value.substring(0, 77) + "..." : value;
    return '"' + shown + '"';
  }
}
