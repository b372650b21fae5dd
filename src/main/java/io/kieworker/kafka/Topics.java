package io.kieworker.kafka;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates topics with a plain Kafka {@link Admin} client.
 *
 * <p>Every method blocks (bounded by the timeout given); call it from a main thread, a test or a
 * worker thread, never from a Vert.x event loop.
 */
public final class Topics {

  private static final Logger LOG = LoggerFactory.getLogger(Topics.class);

  /** A topic to create; {@code compacted} sets {@code cleanup.policy=compact}; {@code configs} are more topic settings. */
  public record Spec(String name, int partitions, boolean compacted, Map<String, String> configs) {
    public Spec(String name, int partitions, boolean compacted) {
      this(name, partitions, compacted, Map.of());
    }

    public Spec {
      configs = Map.copyOf(configs);
      if (name == null || name.isBlank()) {
        throw new IllegalArgumentException("topic name is blank");
      }
      if (partitions < 1) {
        throw new IllegalArgumentException("partitions must be >= 1: " + partitions);
      }
    }

    public static Spec plain(String name, int partitions) {
      return new Spec(name, partitions, false);
    }

    public static Spec compacted(String name, int partitions) {
      return new Spec(name, partitions, true);
    }

    /** The same topic with {@code more} topic settings. */
    public Spec with(Map<String, String> more) {
      Map<String, String> merged = new java.util.HashMap<>(configs);
      merged.putAll(more);
      return new Spec(name, partitions, compacted, merged);
    }

    NewTopic toNewTopic() {
      NewTopic topic = new NewTopic(name, partitions, (short) -1);
      Map<String, String> all = new java.util.HashMap<>(configs);
      if (compacted) {
        all.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
      }
      return all.isEmpty() ? topic : topic.configs(all);
    }
  }

  private Topics() {}

  /** Opens a short-lived admin client whose requests give up after {@code timeout}. */
  public static Admin admin(String bootstrapServers, Duration timeout) {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    props.put(AdminClientConfig.CLIENT_ID_CONFIG, "kie-worker-topics");
    return Admin.create(props);
  }

  /** Creates the missing topics; an existing topic is left as it is (its partition count is not checked). */
  public static void createIfAbsent(String bootstrapServers, Collection<Spec> specs, Duration timeout) {
    try (Admin admin = admin(bootstrapServers, timeout)) {
      createIfAbsent(admin, specs, timeout);
    }
  }

  /**
   * Creates the missing topics and returns once every named topic is visible with a leader for each
   * partition. The broker answers CreateTopics when the controller has the topic, before its own
   * metadata does; describing or fetching right after that fails with UnknownTopicOrPartition.
   */
  public static void createIfAbsent(Admin admin, Collection<Spec> specs, Duration timeout) {
    requestCreation(admin, specs, timeout);
    awaitLeaders(admin, specs.stream().map(Spec::name).collect(java.util.stream.Collectors.toSet()), timeout);
  }

  private static void requestCreation(Admin admin, Collection<Spec> specs, Duration timeout) {
    List<NewTopic> topics = specs.stream().map(Spec::toNewTopic).toList();
    var futures = admin.createTopics(topics).values();
    for (Spec spec : specs) {
      try {
        futures.get(spec.name()).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        LOG.info("Created topic {} ({} partitions{})", spec.name(), spec.partitions(),
            spec.compacted() ? ", compacted" : "");
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw new IllegalStateException("Cannot create topic " + spec.name(), e.getCause());
        }
      } catch (TimeoutException e) {
        throw new IllegalStateException("Timed out after " + timeout + " creating topic " + spec.name(), e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted creating topic " + spec.name(), e);
      }
    }
  }

  private static void awaitLeaders(Admin admin, Set<String> names, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Exception last = null;
    while (System.nanoTime() < deadline) {
      try {
        Map<String, TopicDescription> descriptions =
            admin.describeTopics(names).allTopicNames().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        boolean ready = descriptions.values().stream()
            .flatMap(description -> description.partitions().stream())
            .allMatch(partition -> partition.leader() != null && !partition.leader().isEmpty());
        if (ready) {
          return;
        }
      } catch (ExecutionException | TimeoutException e) {
        last = e;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted waiting for topics " + names, e);
      }
      pause(Duration.ofMillis(50));
    }
    throw new IllegalStateException("Topics " + names + " not ready within " + timeout, last);
  }

  /** Between metadata polls; this helper runs on a blocking thread by contract. */
  private static void pause(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted", e);
    }
  }

  /** Partition count of each named topic; fails if one does not exist. */
  public static Map<String, Integer> partitionCounts(Admin admin, Set<String> names, Duration timeout) {
    try {
      Map<String, TopicDescription> descriptions =
          admin.describeTopics(names).allTopicNames().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return descriptions.entrySet().stream()
          .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> e.getValue().partitions().size()));
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("Cannot describe topics " + names, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted describing topics " + names, e);
    }
  }

  /**
   * The largest record batch each named topic accepts ({@code max.message.bytes}: the topic's own
   * value, else the broker's {@code message.max.bytes}); a topic whose value is not readable is left out.
   */
  public static Map<String, Integer> messageLimits(Admin admin, Set<String> names, Duration timeout) {
    List<ConfigResource> resources = names.stream()
        .map(name -> new ConfigResource(ConfigResource.Type.TOPIC, name)).toList();
    try {
      Map<ConfigResource, Config> configs =
          admin.describeConfigs(resources).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      Map<String, Integer> limits = new java.util.HashMap<>();
      configs.forEach((resource, config) -> {
        ConfigEntry entry = config.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
        if (entry != null && entry.value() != null) {
          limits.put(resource.name(), Integer.parseInt(entry.value().trim()));
        }
      });
      return limits;
    } catch (ExecutionException | TimeoutException | NumberFormatException e) {
      throw new IllegalStateException("Cannot read max.message.bytes of topics " + names, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted reading the configuration of topics " + names, e);
    }
  }
}
