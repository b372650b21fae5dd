package io.kieworker.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Properties;
import org.junit.jupiter.api.Test;

class KafkaClientsTest {

  @Test
  void batchSizeIsLoweredToATopicLimitBelowItAndOtherwiseLeftAlone() {
    Properties tiny = KafkaClients.producer(new Properties(), 1_000_000);
    assertThat(KafkaClients.capBatchSize(tiny, 100)).isTrue();
    assertThat(tiny.get("batch.size")).isEqualTo("100");

    Properties roomy = KafkaClients.producer(new Properties(), 1_000_000);
    assertThat(KafkaClients.capBatchSize(roomy, 1_048_588)).isFalse();
    assertThat(KafkaClients.capBatchSize(roomy, Integer.MAX_VALUE)).as("limit unknown").isFalse();
    assertThat(roomy.get("batch.size")).as("the producer's default stays").isNull();

    Properties configured = new Properties();
    configured.put("batch.size", "65536");
    Properties tuned = KafkaClients.producer(configured, 1_000_000);
    assertThat(KafkaClients.capBatchSize(tuned, 20_000)).isTrue();
    assertThat(tuned.get("batch.size")).isEqualTo("20000");
  }
}
