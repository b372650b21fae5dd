package io.kieworker.config;

/** Everything the worker is configured with; built by {@link ConfigLoader}, secrets masked in toString. */
public record WorkerConfig(KafkaConfig kafka, TopicsConfig topics, KieConfig kie, HttpConfig http,
    WorkerSettings worker, StoreConfig store) {
  public WorkerConfig {
    store = store == null ? StoreConfig.OFF : store;
  }

  /** Without a result store. */
  public WorkerConfig(KafkaConfig kafka, TopicsConfig topics, KieConfig kie, HttpConfig http, WorkerSettings worker) {
    this(kafka, topics, kie, http, worker, StoreConfig.OFF);
  }
}
