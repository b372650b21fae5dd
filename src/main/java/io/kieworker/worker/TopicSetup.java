package io.kieworker.worker;

import io.kieworker.config.WorkerConfig;
import io.kieworker.kafka.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks that Kafka answers and that the request topic exists, and creates the other topics if
 * absent, each with the request topic's partition count (the ledger must match it: ledger partition
 * p belongs to the owner of request partition p); the demand topic has one partition (only its
 * partition 0 is written and read, so more do no harm). Every failure is a {@link StartupFailure} saying
 * what to fix. Blocking: called from a worker thread at start.
 */
final class TopicSetup {
  private static final Logger LOG = LoggerFactory.getLogger(TopicSetup.class);
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  /**
   * How long the first contact may take. A reachable cluster answers in milliseconds; 20 s covers a
   * slow network and a broker still starting, and leaves the whole start well inside a minute.
   */
  static final Duration REACH_TIMEOUT = Duration.ofSeconds(20);

  /**
   * The demand topic holds one small report per instance per interval: segments roll every 10 minutes
   * so compaction keeps it at about one record per instance (the default 7-day segment would keep a
   * week of reports). Readers seek by time, so its size never slows a start.
   */
  static final java.util.Map<String, String> DEMAND_TOPIC_CONFIGS =
      java.util.Map.of("segment.ms", "600000", "min.cleanable.dirty.ratio", "0.5");

  private TopicSetup() {}

  /**
   * Asks the cluster for its brokers once, before any consumer or producer exists: an unreachable,
   * unresolvable or refusing cluster is said in one sentence instead of a stream of client warnings.
   */
  static void checkReachable(Properties kafka, String bootstrapServers) {
    Properties props = new Properties();
    props.putAll(kafka);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) REACH_TIMEOUT.toMillis());
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) REACH_TIMEOUT.toMillis());
    props.putIfAbsent(AdminClientConfig.CLIENT_ID_CONFIG, "kie-worker-check");
    Admin admin;
    try {
      admin = Admin.create(props);
    } catch (KafkaException e) {
      throw new StartupFailure("Kafka client cannot start with KAFKA_BOOTSTRAP_SERVERS=" + bootstrapServers + ": "
          + rootMessage(e), e);
    }
    try (admin) {
      admin.describeCluster().nodes().get(REACH_TIMEOUT.toMillis() + 1_000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StartupFailure("interrupted while contacting Kafka at " + bootstrapServers, e);
    } catch (ExecutionException | TimeoutException e) {
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      if (cause instanceof AuthenticationException || cause instanceof AuthorizationException) {
        throw new StartupFailure("Kafka at " + bootstrapServers + " refused this client: " + rootMessage(cause)
            + " (check the kafka.properties security settings)", cause);
      }
      throw new StartupFailure("Kafka is not reachable at " + bootstrapServers + ": no broker answered within "
          + REACH_TIMEOUT.toSeconds() + " s (check KAFKA_BOOTSTRAP_SERVERS and that the brokers' advertised"
          + " listeners are reachable from here)", cause);
    }
  }

  /**
   * What the start learns from the topics: the request topic's partition count, and the smallest
   * {@code max.message.bytes} among the topics the worker writes (Integer.MAX_VALUE when not readable).
   */
  record Checked(int partitions, String smallestTopic, int smallestMessageLimit) {}

  static Checked ensure(WorkerConfig config, Properties kafka) {
    Properties props = new Properties();
    props.putAll(kafka);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
    try (Admin admin = Admin.create(props)) {
      String requests = config.topics().requests();
      if (!topicNames(admin).contains(requests)) {
        throw new StartupFailure("request topic '" + requests + "' does not exist at "
            + config.kafka().bootstrapServers() + ": create it (its partition count sets the ledger's)");
      }
      int partitions = Topics.partitionCounts(admin, Set.of(requests), TIMEOUT).get(requests);
      Topics.createIfAbsent(admin, List.of(
          Topics.Spec.plain(config.topics().results(), partitions),
          Topics.Spec.plain(config.topics().dlq(), partitions),
          Topics.Spec.compacted(config.topics().ledger(), partitions),
          Topics.Spec.compacted(config.topics().demand(), 1).with(DEMAND_TOPIC_CONFIGS)), TIMEOUT);
      int ledgerPartitions = Topics.partitionCounts(admin, Set.of(config.topics().ledger()), TIMEOUT)
          .get(config.topics().ledger());
      if (ledgerPartitions != partitions) {
        throw new StartupFailure("ledger topic '" + config.topics().ledger() + "' has " + ledgerPartitions
            + " partitions but request topic '" + requests + "' has " + partitions + ": they must match");
      }
      return smallestLimit(admin, config, partitions);
    }
  }

  /**
   * Not a startup failure when unreadable (a client without DescribeConfigs rights): the producer
   * then keeps its batch size, as before this check.
   */
  private static Checked smallestLimit(Admin admin, WorkerConfig config, int partitions) {
    Set<String> written = Set.of(config.topics().results(), config.topics().dlq(), config.topics().ledger(),
        config.topics().demand());
    try {
      return Topics.messageLimits(admin, written, TIMEOUT).entrySet().stream()
          .min(Map.Entry.comparingByValue())
          .map(e -> new Checked(partitions, e.getKey(), e.getValue()))
          .orElse(new Checked(partitions, null, Integer.MAX_VALUE));
    } catch (IllegalStateException e) {
      LOG.warn("Cannot read max.message.bytes of {}: the producer keeps its batch.size ({})", written,
          rootMessage(e));
      return new Checked(partitions, null, Integer.MAX_VALUE);
    }
  }

  private static Set<String> topicNames(Admin admin) {
    try {
      return admin.listTopics().names().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StartupFailure("interrupted while listing Kafka topics", e);
    } catch (ExecutionException | TimeoutException e) {
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      throw new StartupFailure("cannot list the Kafka topics: " + rootMessage(cause), cause);
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }
}
