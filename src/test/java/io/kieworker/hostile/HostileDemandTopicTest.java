package io.kieworker.hostile;

import static io.kieworker.testing.WorkerHarness.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.kieworker.sim.SimOptions;
import io.kieworker.testing.KafkaBroker;
import io.kieworker.testing.WorkerHarness;
import io.kieworker.worker.WorkerApp;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Hostile values on the internal demand topic (issue 10 item 1): whatever lands there — not JSON,
 * too large, a report whose instance is not its key, a negative or fractional demand, a tombstone for
 * this instance — is skipped (a record without key the broker itself refuses on a compacted topic): the worker's view stays live with itself alone, its share stays the whole
 * limit and its requests are created.
 */
@ExtendWith(KafkaBroker.class)
class HostileDemandTopicTest {

  @Test
  void invalidDemandRecordsAreSkippedAndNeitherShrinkTheShareNorStopCreates() throws Exception {
    try (WorkerHarness h = new WorkerHarness(1, new SimOptions())) {
      WorkerApp app = h.startWorker(Map.of("WORKER_CREATE_RATE_LIMIT", "20", "WORKER_DEMAND_INTERVAL", "200ms"));
      Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> gauge(app, "kie_worker.demand.live") == 1);
      String self = app.worker().instanceId();
      List<ProducerRecord<String, byte[]>> hostile = List.of(
          record(h.demand, "x", "not json"),
          record(h.demand, "x", "{\"instance\":\"x\",\"demand\":1,\"at\":0,\"pad\":\"" + "p".repeat(5_000) + "\"}"),
          record(h.demand, "forger", "{\"instance\":\"someone-else\",\"demand\":100,\"at\":0}"),
          record(h.demand, "negative", "{\"instance\":\"negative\",\"demand\":-5,\"at\":0}"),
          record(h.demand, "fraction", "{\"instance\":\"fraction\",\"demand\":2.5,\"at\":0}"),
          new ProducerRecord<>(h.demand, 0, self, null)); // a tombstone for this very instance
      try (KafkaProducer<String, byte[]> producer = producer()) {
        for (ProducerRecord<String, byte[]> r : hostile) {
          producer.send(r).get();
        }
      }
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        ids.add("demand-hostile-" + i);
        h.send(ids.get(i), request(ids.get(i), "google/nano-banana", ""));
      }
      h.awaitResultsFor(ids, Duration.ofSeconds(60));

      assertThat(gauge(app, "kie_worker.demand.live")).isEqualTo(1);
      assertThat(gauge(app, "kie_worker.demand.instances")).as("no hostile record counted as an instance").isEqualTo(1);
      assertThat(gauge(app, "kie_worker.rate_limit.share")).isEqualTo(20);
      assertThat(h.resultsById().values()).allMatch(r -> "SUCCEEDED".equals(r.getString("status")));
    }
  }

  private static ProducerRecord<String, byte[]> record(String topic, String key, String value) {
    return new ProducerRecord<>(topic, 0, key, value.getBytes(StandardCharsets.UTF_8));
  }

  private static KafkaProducer<String, byte[]> producer() {
    Properties props = new Properties();
    props.putAll(KafkaBroker.producerConfig());
    return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
  }

  private static double gauge(WorkerApp app, String name) {
    var g = app.registry().find(name).gauge();
    return g == null ? -1 : g.value();
  }
}
