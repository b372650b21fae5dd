package io.kieworker.tools.bench;

import io.kieworker.kafka.Topics;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** One run's topics and consumer group, unique per run so runs on one broker never mix. */
record BenchTopics(String requests, String results, String dlq, String ledger, String demand, String group,
    int partitions) {
  private static final AtomicInteger RUNS = new AtomicInteger();

  static BenchTopics create(String bootstrap, String name, int partitions) {
    String prefix = "bench." + name + "." + RUNS.incrementAndGet() + "." + System.currentTimeMillis();
    BenchTopics t = new BenchTopics(prefix + ".requests", prefix + ".results", prefix + ".dlq", prefix + ".tasks",
        prefix + ".demand", prefix + ".group", partitions);
    Topics.createIfAbsent(bootstrap, List.of(Topics.Spec.plain(t.requests, partitions),
        Topics.Spec.plain(t.results, partitions), Topics.Spec.plain(t.dlq, partitions),
        Topics.Spec.compacted(t.ledger, partitions), Topics.Spec.compacted(t.demand, 1)), Duration.ofSeconds(30));
    return t;
  }
}
