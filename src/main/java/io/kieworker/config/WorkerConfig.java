package io.kieworker.config;

/** Everything the worker is configured with; built by {@link ConfigLoader}, secrets masked in toString. */
public record WorkerConfig(KafkaConfig kafka, TopicsConfig topics, KieConfig kie, HttpConfig http,
    WorkerSettings worker) {}
