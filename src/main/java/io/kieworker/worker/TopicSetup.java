package io.kieworker.worker;

import io.kieworker.config.WorkerConfig;
import io.kieworker.kafka.Topics;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * Checks the request topic and creates the others if absent, each with the request topic's
 * partition count (the ledger must match it: ledger partition p belongs to the owner of request
 * partition p). Blocking: called from a worker thread at start.
 */
final class TopicSetup {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private TopicSetup() {}

  static int ensure(WorkerConfig config, Properties kafka) {
    Properties props = new Properties();
    props.putAll(kafka);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
    try (Admin admin = Admin.create(props)) {
      String requests = config.topics().requests();
      if (!topicNames(admin).contains(requests)) {
        throw new IllegalStateException("request topic '" + requests + "' does not exist at "
            + config.kafka().bootstrapServers() + ": create it (its partition count sets the ledger's)");
      }
      int partitions = Topics.partitionCounts(admin, Set.of(requests), TIMEOUT).get(requests);
      Topics.createIfAbsent(admin, List.of(
          Topics.Spec.plain(config.topics().results(), partitions),
          Topics.Spec.plain(config.topics().dlq(), partitions),
          Topics.Spec.compacted(config.topics().ledger(), partitions)), TIMEOUT);
      int ledgerPartitions = Topics.partitionCounts(admin, Set.of(config.topics().ledger()), TIMEOUT)
          .get(config.topics().ledger());
      if (ledgerPartitions != partitions) {
        throw new IllegalStateException("ledger topic '" + config.topics().ledger() + "' has " + ledgerPartitions
            + " partitions but request topic '" + requests + "' has " + partitions + ": they must match");
      }
      return partitions;
    }
  }

  private static Set<String> topicNames(Admin admin) {
    try {
      return admin.listTopics().names().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted listing topics", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("Cannot list Kafka topics: " + e.getCause(), e);
    }
  }
}
