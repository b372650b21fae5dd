package io.kieworker.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * @param groupInstanceId static membership id, or null for dynamic membership
 * @param properties passed to every Kafka client as is
 */
public record KafkaConfig(String bootstrapServers, String groupId, String groupInstanceId,
    Map<String, String> properties) {

  public KafkaConfig {
    properties = properties == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(properties));
  }

  @Override
  public String toString() {
    return "KafkaConfig[bootstrapServers=" + bootstrapServers + ", groupId=" + groupId
        + ", groupInstanceId=" + groupInstanceId + ", properties=" + Secrets.maskProperties(properties) + "]";
  }
}
