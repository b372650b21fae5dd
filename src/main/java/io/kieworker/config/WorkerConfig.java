package io.kieworker.config;

/**
 * Everything the worker is configured with; built by {@link ConfigLoader}, secrets masked in toString.
 * {@code queue} holds the create queue's settings (issue 10).
 */
public record WorkerConfig(KafkaConfig kafka, TopicsConfig topics, KieConfig kie, HttpConfig http,
    WorkerSettings worker, StoreConfig store, QueueSettings queue) {
  public WorkerConfig {
    store = store == null ? StoreConfig.OFF : store;
    queue = queue == null ? QueueSettings.DEFAULTS : queue;
  }

  /** With the queue's default settings. */
  public WorkerConfig(KafkaConfig kafka, TopicsConfig topics, KieConfig kie, HttpConfig http, WorkerSettings worker,
      StoreConfig store) {
    this(kafka, topics, kie, http, worker, store, QueueSettings.DEFAULTS);
  }

  /** Without a result store. */
  public WorkerConfig(KafkaConfig kafka, TopicsConfig topics, KieConfig kie, HttpConfig http, WorkerSettings worker) {
    this(kafka, topics, kie, http, worker, StoreConfig.OFF);
  }
}
