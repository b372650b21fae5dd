package io.kieworker.config;

import java.util.Map;

/** The YAML as written, after substitution: every value still text, checked by {@link ConfigBinder}. */
record RawConfig(Kafka kafka, Topics topics, Kie kie, Http http, Worker worker) {
  static final RawConfig EMPTY = new RawConfig(null, null, null, null, null);

  RawConfig {
    kafka = kafka == null ? new Kafka(null, null, null, null) : kafka;
    topics = topics == null ? new Topics(null, null, null, null) : topics;
    kie = kie == null ? new Kie(null, null, null, null, null, null, null, null, null) : kie;
    http = http == null ? new Http(null, null) : http;
    worker = worker == null
        ? new Worker(null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
            null, null, null, null)
        : worker;
  }

  record Kafka(String bootstrapServers, String groupId, String groupInstanceId, Map<String, String> properties) {}

  record Topics(String requests, String results, String dlq, String ledger) {}

  record Kie(String apiKey, String apiKeyFile, String baseUrl, String uploadBaseUrl, String callbackBaseUrl,
      String webhookHmacKey, String userAgent, String connectTimeout, String requestTimeout) {}

  record Http(String host, String port) {}

  record Worker(String callbackSecret, String createRateLimit, String createRateWindow, String pollRate,
      String deadline, String maxInflightCreates, String maxPending, String resumeRatio, String resubmit5xx,
      String ambiguousGrace, String dedupeWindow, String commitInterval, String shutdownTimeout,
      String maxRequestBytes, String pollMinGap, String expectedDuration, String callbackTrust,
      String maxInflightUploads, String maxUploadBytesInflight,
      String quotaRecheck, String maxRetryAfter) {}
}
