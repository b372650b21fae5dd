package io.kieworker.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.kieworker.testing.KafkaBroker;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(KafkaBroker.class)
class TopicsTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  @Test
  void createsCompactedAndPlainTopicsWithTheirPartitionCounts() throws Exception {
    String ledger = KafkaBroker.uniqueName("ledger");
    String requests = KafkaBroker.uniqueName("requests");

    Topics.createIfAbsent(KafkaBroker.bootstrapServers(),
        List.of(Topics.Spec.compacted(ledger, 3), Topics.Spec.plain(requests, 2)), TIMEOUT);

    assertThat(cleanupPolicy(ledger)).isEqualTo(TopicConfig.CLEANUP_POLICY_COMPACT);
    assertThat(cleanupPolicy(requests)).isEqualTo(TopicConfig.CLEANUP_POLICY_DELETE);
    assertThat(Topics.partitionCounts(KafkaBroker.admin(), Set.of(ledger, requests), TIMEOUT))
        .isEqualTo(Map.of(ledger, 3, requests, 2));
  }

  @Test
  void creatingAnExistingTopicAgainKeepsIt() {
    String topic = KafkaBroker.uniqueName("twice");
    KafkaBroker.createTopic(topic, 2, true);

    KafkaBroker.createTopic(topic, 5, false);

    assertThat(Topics.partitionCounts(KafkaBroker.admin(), Set.of(topic), TIMEOUT)).isEqualTo(Map.of(topic, 2));
  }

  private static String cleanupPolicy(String topic) throws Exception {
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    Config config = KafkaBroker.admin().describeConfigs(List.of(resource)).all()
        .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(resource);
    return config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value();
  }
}
