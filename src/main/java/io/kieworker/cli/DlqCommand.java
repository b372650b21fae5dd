package io.kieworker.cli;

import io.kieworker.config.ConfigException;
import io.kieworker.config.ConfigLoader;
import io.kieworker.config.KafkaAccess;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/** {@code kie-worker dlq}: tools for the dead-letter topic. */
@Command(name = "dlq", mixinStandardHelpOptions = true, subcommands = DlqCommand.Replay.class,
    description = "Dead-letter topic tools.")
public final class DlqCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /**
   * Re-publishes dead letters to the request topic: key, value and the original headers (every
   * header not named {@code dlq.*}), plus {@code x-kie-replayed-from}. Reads each DLQ partition from
   * its beginning to the end offset seen at start, without a consumer group (nothing is committed;
   * running it twice replays twice).
   *
   * <p>The target is the configured request topic, or the {@code --to-topic} the operator names; a
   * record's own {@code dlq.original.topic} header is never used as a target (it came with the
   * record, so a producer could have forged it). The worker's ledger, result and DLQ topics and
   * Kafka's internal {@code __*} topics are refused as targets even when named explicitly: a
   * request payload written there could erase or fence real work.
   */
  @Command(name = "replay", mixinStandardHelpOptions = true,
      description = {"Re-publishes DLQ records (all, or filtered by reason and time) to the request topic after a fix.",
          "Reads the DLQ from the beginning to its end offsets at start; commits nothing."})
  static final class Replay implements Callable<Integer> {
    static final String REPLAYED_FROM = "x-kie-replayed-from";

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    /** The same settings as {@code run} (file and environment): brokers, client properties, topics. */
    @CommandLine.Mixin ConfigOption config;

    @Option(names = "--bootstrap", paramLabel = "SERVERS",
        description = "Kafka brokers (default: the configured KAFKA_BOOTSTRAP_SERVERS)")
    String bootstrap;

    @Option(names = "--from-topic", paramLabel = "TOPIC",
        description = "DLQ topic (default: the configured WORKER_DLQ_TOPIC)")
    String fromTopic;

    @Option(names = "--to-topic", paramLabel = "TOPIC",
        description = "Target topic (default: the request topic). Never the ledger, result or DLQ topic")
    String toTopic;

    @Option(names = "--request-topic", paramLabel = "TOPIC",
        description = "The worker's request topic, the default target (default: the configured WORKER_REQUEST_TOPIC)")
    String requestTopic;

    @Option(names = "--result-topic", paramLabel = "TOPIC",
        description = "The worker's result topic, refused as a target (default: the configured WORKER_RESULT_TOPIC)")
    String resultTopic;

    @Option(names = "--ledger-topic", paramLabel = "TOPIC",
        description = "The worker's ledger topic, refused as a target (default: the configured WORKER_LEDGER_TOPIC)")
    String ledgerTopic;

    /** The configured DLQ, ledger and result topics: refused as targets even when options name others. */
    private String configuredDlq;
    private String configuredLedger;
    private String configuredDemand;
    private String configuredResults;
    /** The configured kafka.properties (SASL/SSL, …); -X entries win over them. */
    private Map<String, String> configuredProperties = Map.of();

    @Option(names = "--reason", paramLabel = "REASON", split = ",",
        description = "Only records whose dlq.reason is one of these (case-insensitive), e.g. INVALID,UNPARSEABLE. "
            + "Without it every reason but RESULT_REFUSED (those are results, not requests)")
    List<String> reasons;

    @Option(names = "--since", paramLabel = "TIME", description = "Only records dead-lettered at or after this ISO-8601 instant (dlq.time)")
    String since;

    @Option(names = "--until", paramLabel = "TIME", description = "Only records dead-lettered before this ISO-8601 instant (dlq.time)")
    String until;

    @Option(names = "--dry-run", description = "Print what would be replayed; publish nothing")
    boolean dryRun;

    @Option(names = "--max", paramLabel = "N", description = "Replay at most N records")
    Integer max;

    @Option(names = {"-X", "--kafka-property"}, paramLabel = "KEY=VALUE",
        description = "Kafka client property over the configured kafka.properties (e.g. security.protocol=SSL); repeatable")
    Map<String, String> kafkaProperties = new HashMap<>();

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "60s",
        description = "Give up reading or publishing after this long (a duration like 60s or 5m, default ${DEFAULT-VALUE})")
    Duration timeout;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      try {
        applyConfiguration(ConfigLoader.loadKafka(config.file(), System.getenv()));
      } catch (ConfigException e) {
        err.println("kie-worker dlq replay: invalid configuration:");
        e.problems().forEach(p -> err.println("  - " + p));
        return 2;
      }
      Instant from;
      Instant to;
      try {
        from = since == null ? null : Instant.parse(since);
        to = until == null ? null : Instant.parse(until);
      } catch (DateTimeParseException e) {
        err.println("kie-worker dlq replay: --since/--until must be ISO-8601 instants (2025-01-31T12:00:00Z): "
            + e.getParsedString());
        return 2;
      }
      if (max != null && max < 0) {
        err.println("kie-worker dlq replay: --max must be >= 0");
        return 2;
      }
      String target = toTopic != null ? toTopic : requestTopic;
      String refusal = refusedTarget(target);
      if (refusal != null) {
        err.println("kie-worker dlq replay: refusing to replay into '" + target + "': " + refusal
            + "; replay only to the request topic or a topic of your own (--to-topic)");
        return 2;
      }
      Filter filter = new Filter(reasons, from, to);
      try {
        Summary summary = replay(filter, target, out);
        out.printf("%s: scanned %d, matched %d, %s %d, skipped %d%n", fromTopic, summary.scanned,
            summary.matched, dryRun ? "would replay" : "replayed", summary.replayed, summary.scanned - summary.matched);
        out.flush();
        return 0;
      } catch (Exception e) {
        err.println("kie-worker dlq replay: " + RunCommand.rootMessage(e));
        return 1;
      }
    }

    /** Options win; what they leave unset comes from the configuration, as for {@code run}. */
    private void applyConfiguration(KafkaAccess access) {
      bootstrap = bootstrap != null ? bootstrap : access.kafka().bootstrapServers();
      fromTopic = fromTopic != null ? fromTopic : access.topics().dlq();
      requestTopic = requestTopic != null ? requestTopic : access.topics().requests();
      resultTopic = resultTopic != null ? resultTopic : access.topics().results();
      ledgerTopic = ledgerTopic != null ? ledgerTopic : access.topics().ledger();
      configuredDlq = access.topics().dlq();
      configuredLedger = access.topics().ledger();
      configuredDemand = access.topics().demand();
      configuredResults = access.topics().results();
      configuredProperties = access.kafka().properties();
    }

    /** Why {@code target} may not receive replayed payloads, or null when it may. */
    String refusedTarget(String target) {
      if (target == null || target.isBlank()) {
        return "no target topic";
      }
      if (target.equals(ledgerTopic) || target.equals(configuredLedger)) {
        return "it is the worker's ledger topic (--ledger-topic / WORKER_LEDGER_TOPIC)";
      }
      if (target.equals(configuredDemand)) {
        return "it is the worker's demand topic (WORKER_DEMAND_TOPIC)";
      }
      if (target.equals(resultTopic) || target.equals(configuredResults)) {
        return "it is the worker's result topic (--result-topic / WORKER_RESULT_TOPIC)";
      }
      if (target.equals(fromTopic) || target.equals(configuredDlq)) {
        return "it is the dead-letter topic";
      }
      if (target.startsWith("__")) {
        return "it is a Kafka internal topic";
      }
      return null;
    }

    private Summary replay(Filter filter, String target, PrintWriter out) throws Exception {
      Summary summary = new Summary();
      long deadline = System.nanoTime() + timeout.toNanos();
      try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProperties());
           KafkaProducer<byte[], byte[]> producer = dryRun ? null : new KafkaProducer<>(producerProperties())) {
        List<TopicPartition> partitions = partitions(consumer);
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Map<TopicPartition, Long> ends = new HashMap<>(consumer.endOffsets(partitions, timeout));
        List<Future<RecordMetadata>> sends = new ArrayList<>();
        while (!done(consumer, ends) && (max == null || summary.matched < max)) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("timed out reading " + fromTopic + " after " + timeout);
          }
          for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
            TopicPartition tp = new TopicPartition(record.topic(), record.partition());
            if (record.offset() >= ends.getOrDefault(tp, 0L) || (max != null && summary.matched >= max)) {
              continue;
            }
            summary.scanned++;
            if (!filter.matches(record)) {
              if (filter.skippedAsResult(record)) {
                out.printf("skip %s-%d@%d key=%s reason=%s: a result the result topic refused, not a request "
                    + "(name the reason in --reason to replay it anyway)%n", record.topic(), record.partition(),
                    record.offset(), keyText(record.key()), Filter.RESULT_REFUSED);
              }
              continue;
            }
            summary.matched++;
            out.printf("%s %s-%d@%d key=%s reason=%s time=%s original=%s -> %s%n",
                dryRun ? "would replay" : "replay", record.topic(), record.partition(), record.offset(),
                keyText(record.key()), headerOr(record, "dlq.reason", "?"), headerOr(record, "dlq.time", "?"),
                headerOr(record, "dlq.original.topic", "?"), target);
            if (!dryRun) {
              sends.add(producer.send(republished(record, target)));
            }
          }
        }
        if (producer != null) {
          producer.flush();
          for (Future<RecordMetadata> send : sends) {
            send.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            summary.replayed++;
          }
        } else {
          summary.replayed = summary.matched;
        }
      }
      return summary;
    }

    private List<TopicPartition> partitions(KafkaConsumer<byte[], byte[]> consumer) {
      List<PartitionInfo> infos = consumer.partitionsFor(fromTopic, timeout);
      if (infos == null || infos.isEmpty()) {
        throw new IllegalStateException("topic " + fromTopic + " does not exist");
      }
      return infos.stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
    }

    /** Every partition read up to the end offset it had at start. */
    private static boolean done(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> ends) {
      ends.entrySet().removeIf(e -> consumer.position(e.getKey()) >= e.getValue());
      return ends.isEmpty();
    }

    static ProducerRecord<byte[], byte[]> republished(ConsumerRecord<byte[], byte[]> record, String target) {
      List<Header> headers = new ArrayList<>();
      for (Header h : record.headers()) {
        if (!io.kieworker.result.DeadLetterHeaders.reserved(h.key()) && !h.key().equals(REPLAYED_FROM)) {
          headers.add(h);
        }
      }
      headers.add(new RecordHeader(REPLAYED_FROM,
          (record.topic() + "-" + record.partition() + "@" + record.offset()).getBytes(StandardCharsets.UTF_8)));
      return new ProducerRecord<>(target, null, record.key(), record.value(), headers);
    }

    private Properties consumerProperties() {
      Properties props = common();
      props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
      props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
      props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
      props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      return props;
    }

    private Properties producerProperties() {
      Properties props = common();
      props.put(ProducerConfig.ACKS_CONFIG, "all");
      props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
      props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
      props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
      return props;
    }

    private Properties common() {
      Properties props = new Properties();
      props.putAll(configuredProperties);
      props.putAll(kafkaProperties);
      props.put("bootstrap.servers", bootstrap);
      props.putIfAbsent("client.id", "kie-worker-dlq-replay");
      return props;
    }

    private static String keyText(byte[] key) {
      return key == null ? "(none)" : new String(key, StandardCharsets.UTF_8);
    }

    static String headerOr(ConsumerRecord<?, ?> record, String name, String fallback) {
      Header h = record.headers().lastHeader(name);
      return h == null || h.value() == null ? fallback : new String(h.value(), StandardCharsets.UTF_8);
    }
  }

  /**
   * Which dead letters to replay; a record without a readable dlq.time is judged by its timestamp. A
   * RESULT_REFUSED dead letter is a result the result topic refused, not a request: replayed to the
   * request topic it would come back as a REJECTED answer to its own request, so it is replayed only
   * when {@code --reason} names it.
   */
  record Filter(List<String> reasons, Instant since, Instant until) {
    static final String RESULT_REFUSED = "RESULT_REFUSED";

    boolean matches(ConsumerRecord<?, ?> record) {
      String reason = Replay.headerOr(record, "dlq.reason", "");
      if (reasons != null && !reasons.isEmpty()) {
        if (reasons.stream().noneMatch(r -> r.trim().toUpperCase(Locale.ROOT).equals(reason.toUpperCase(Locale.ROOT)))) {
          return false;
        }
      } else if (skippedAsResult(record)) {
        return false;
      }
      if (since == null && until == null) {
        return true;
      }
      Instant time = deadLetteredAt(record);
      return (since == null || !time.isBefore(since)) && (until == null || time.isBefore(until));
    }

    /** A RESULT_REFUSED dead letter while no {@code --reason} is given: left out. */
    boolean skippedAsResult(ConsumerRecord<?, ?> record) {
      return (reasons == null || reasons.isEmpty())
          && RESULT_REFUSED.equalsIgnoreCase(Replay.headerOr(record, "dlq.reason", ""));
    }

    private static Instant deadLetteredAt(ConsumerRecord<?, ?> record) {
      try {
        return Instant.parse(Replay.headerOr(record, "dlq.time", ""));
      } catch (DateTimeParseException e) {
        return Instant.ofEpochMilli(record.timestamp());
      }
    }
  }

  private static final class Summary {
    long scanned;
    long matched;
    long replayed;
  }
}
