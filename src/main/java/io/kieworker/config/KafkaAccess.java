package io.kieworker.config;

/** What a Kafka tool needs of the configuration: the brokers, the client properties and the topics. */
public record KafkaAccess(KafkaConfig kafka, TopicsConfig topics) {}
