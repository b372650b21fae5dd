package io.kieworker.tools.broker;

import io.kieworker.kafka.Topics;
import io.kieworker.net.FreePorts;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import kafka.server.Server;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node Apache Kafka 3.9 broker (KRaft, combined broker+controller) running in this JVM on
 * 127.0.0.1, for the demo and the integration tests.
 *
 * <p><b>Threading:</b> {@link #start}, {@link #stop}, {@link #restart} and {@link #close} block for
 * seconds; call them from a main thread or a test, never from a Vert.x event loop.
 *
 * <p>Topics are not auto-created ({@code auto.create.topics.enable=false}): the worker's ledger topic
 * must be compacted and partitioned like the request topic, and a topic a client created by accident
 * would be neither. Create topics with {@link #createTopics} or {@link Topics}; a produce to a missing
 * topic then fails (after the producer's {@code max.block.ms}) instead of silently creating it.
 *
 * <p>The ports and data directory survive {@link #stop}/{@link #restart}, so clients reconnect to the
 * same address and committed data is kept. Restart is a clean shutdown; it cannot simulate a crash
 * (kill -9) of the broker process.
 */
public final class EmbeddedKafka implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

  /**
   * @param dataDir where the broker keeps its data; {@code null} = a fresh temporary directory that
   *     {@link #close} deletes. A given directory is kept, so a later broker on it sees the same data.
   * @param defaultPartitions {@code num.partitions} for topics created without a count
   * @param brokerPort client port, 0 = a free port
   * @param controllerPort KRaft controller port, 0 = a free port
   * @param overrides extra broker properties, applied last
   */
  public record Options(Path dataDir, int defaultPartitions, int brokerPort, int controllerPort,
                        Map<String, String> overrides) {
    public Options {
      overrides = Map.copyOf(overrides);
    }

    public static Options defaults() {
      return new Options(null, 3, 0, 0, Map.of());
    }

    public Options withDataDir(Path dir) {
      return new Options(dir, defaultPartitions, brokerPort, controllerPort, overrides);
    }

    public Options withDefaultPartitions(int partitions) {
      return new Options(dataDir, partitions, brokerPort, controllerPort, overrides);
    }

    public Options withPorts(int broker, int controller) {
      return new Options(dataDir, defaultPartitions, broker, controller, overrides);
    }

    public Options withOverrides(Map<String, String> props) {
      return new Options(dataDir, defaultPartitions, brokerPort, controllerPort, props);
    }
  }

  private final Path dataDir;
  private final boolean ownsDataDir;
  private final int brokerPort;
  private final int controllerPort;
  private final Properties brokerProps;
  private Server server;

  private EmbeddedKafka(Path dataDir, boolean ownsDataDir, int brokerPort, int controllerPort, Properties props) {
    this.dataDir = dataDir;
    this.ownsDataDir = ownsDataDir;
    this.brokerPort = brokerPort;
    this.controllerPort = controllerPort;
    this.brokerProps = props;
  }

  /** Starts a broker with {@link Options#defaults()}; blocks until it accepts clients. */
  public static EmbeddedKafka start() {
    return start(Options.defaults());
  }

  /** Starts a broker; blocks until it accepts clients (about 3–4 s on two cores). */
  public static EmbeddedKafka start(Options options) {
    Objects.requireNonNull(options, "options");
    long begin = System.nanoTime();
    boolean ownsDir = options.dataDir() == null;
    Path dir = ownsDir ? createTempDir() : options.dataDir();
    int controllerPort = options.controllerPort() > 0 ? options.controllerPort() : FreePorts.pick();
    int brokerPort = options.brokerPort() > 0 ? options.brokerPort() : FreePorts.pick(controllerPort);
    Properties props = brokerProperties(dir, brokerPort, controllerPort, options);
    EmbeddedKafka kafka = new EmbeddedKafka(dir, ownsDir, brokerPort, controllerPort, props);
    try {
      kafka.formatStorage();
      kafka.startServer();
      LOG.info("Embedded Kafka started in {} ms including storage format", millisSince(begin));
      return kafka;
    } catch (RuntimeException e) {
      kafka.close();
      throw e;
    }
  }

  public String bootstrapServers() {
    return "127.0.0.1:" + brokerPort;
  }

  public Path dataDir() {
    return dataDir;
  }

  public synchronized boolean isRunning() {
    return server != null;
  }

  /** Creates the missing topics (blocking, bounded). */
  public void createTopics(Topics.Spec... specs) {
    Topics.createIfAbsent(bootstrapServers(), List.of(specs), ADMIN_TIMEOUT);
  }

  /** Creates the missing topics, all with the same cleanup policy (blocking, bounded). */
  public void createTopics(Map<String, Integer> namePartitions, boolean compacted) {
    List<Topics.Spec> specs = namePartitions.entrySet().stream()
        .map(e -> new Topics.Spec(e.getKey(), e.getValue(), compacted))
        .toList();
    Topics.createIfAbsent(bootstrapServers(), specs, ADMIN_TIMEOUT);
  }

  /** Clean shutdown; data, ports and this object stay usable for {@link #restart}. Idempotent. */
  public synchronized void stop() {
    if (server == null) {
      return;
    }
    long begin = System.nanoTime();
    try {
      server.shutdown();
      server.awaitShutdown();
    } finally {
      server = null;
    }
    LOG.info("Embedded Kafka at {} stopped in {} ms", bootstrapServers(), millisSince(begin));
  }

  /** Stops the broker if it runs, then starts it again on the same ports and data. */
  public synchronized void restart() {
    stop();
    startServer();
  }

  /** Stops the broker and deletes its data directory if this object created it. */
  @Override
  public synchronized void close() {
    try {
      stop();
    } finally {
      if (ownsDataDir) {
        deleteRecursively(dataDir);
      }
    }
  }

  private synchronized void startServer() {
    long begin = System.nanoTime();
    Server started = newRaftServer(brokerProps);
    try {
      started.startup();
      server = started;
      awaitClusterReady();
    } catch (RuntimeException e) {
      stop();
      throw new IllegalStateException("Embedded Kafka did not start at " + bootstrapServers(), e);
    }
    LOG.info("Embedded Kafka ready at {} in {} ms (data {})", bootstrapServers(), millisSince(begin), dataDir);
  }

  /**
   * {@code new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM)}, by reflection:
   * KafkaConfig's superclass lives in kafka-server, which kafka_2.13 declares at runtime scope only,
   * so javac cannot see it.
   */
  private static Server newRaftServer(Properties props) {
    try {
      Class<?> configClass = Class.forName("kafka.server.KafkaConfig");
      Object config = configClass.getMethod("fromProps", Properties.class, boolean.class).invoke(null, props, false);
      return (Server) Class.forName("kafka.server.KafkaRaftServer")
          .getConstructor(configClass, Time.class)
          .newInstance(config, Time.SYSTEM);
    } catch (java.lang.reflect.InvocationTargetException e) {
      throw new IllegalStateException("Invalid embedded Kafka configuration", e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("Kafka broker classes (kafka_2.13 3.9) not on the class path", e);
    }
  }

  private void awaitClusterReady() {
    try (Admin admin = Topics.admin(bootstrapServers(), READY_TIMEOUT)) {
      int nodes = admin.describeCluster().nodes().get(READY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).size();
      if (nodes == 0) {
        throw new IllegalStateException("broker reports no nodes");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted waiting for the broker", e);
    } catch (Exception e) {
      throw new IllegalStateException("broker not ready within " + READY_TIMEOUT, e);
    }
  }

  /**
   * Formats the KRaft storage with a new cluster id, unless it already is: a broker started again on a
   * given directory keeps its cluster id and data (StorageTool's --ignore-formatted alone is not enough,
   * it still rejects a different cluster id).
   */
  private void formatStorage() {
    if (Files.exists(dataDir.resolve("logs").resolve("meta.properties"))) {
      LOG.info("Reusing formatted Kafka storage in {}", dataDir);
      return;
    }
    Path config = dataDir.resolve("server.properties");
    try (OutputStream out = Files.newOutputStream(config)) {
      brokerProps.store(out, "kie-worker embedded Kafka");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ByteArrayOutputStream output = new ByteArrayOutputStream();
    int status;
    try (PrintStream print = new PrintStream(output, true, StandardCharsets.UTF_8)) {
      String[] args = {"format", "-t", Uuid.randomUuid().toString(), "-c", config.toString(), "--ignore-formatted"};
      status = StorageTool.execute(args, print);
    }
    if (status != 0) {
      throw new IllegalStateException("Kafka storage format failed (" + status + "): " + output.toString(StandardCharsets.UTF_8));
    }
  }

  private static Properties brokerProperties(Path dir, int brokerPort, int controllerPort, Options options) {
    Properties p = new Properties();
    p.put("process.roles", "broker,controller");
    p.put("node.id", "1");
    p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
    p.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
    p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
    p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("controller.listener.names", "CONTROLLER");
    p.put("log.dirs", dir.resolve("logs").toString());
    p.put("num.partitions", Integer.toString(options.defaultPartitions()));
    p.put("auto.create.topics.enable", "false");
    p.put("default.replication.factor", "1");
    p.put("min.insync.replicas", "1");
    p.put("offsets.topic.replication.factor", "1");
    // 50 partitions by default: each costs a log directory and startup time for no benefit here.
    p.put("offsets.topic.num.partitions", "5");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("transaction.state.log.num.partitions", "5");
    p.put("group.initial.rebalance.delay.ms", "0");
    // Without these a restarted broker waits ~9 s for its previous registration to expire.
    p.put("broker.session.timeout.ms", "2000");
    p.put("broker.heartbeat.interval.ms", "500");
    // The cleaner's default 128 MB dedupe buffer would dominate the heap of a test JVM.
    p.put("log.cleaner.dedupe.buffer.size", Integer.toString(8 * 1024 * 1024));
    p.put("num.network.threads", "2");
    p.put("num.io.threads", "4");
    p.put("num.recovery.threads.per.data.dir", "1");
    p.put("background.threads", "4");
    p.putAll(options.overrides());
    return p;
  }

  private static Path createTempDir() {
    try {
      return Files.createTempDirectory("kie-kafka-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      LOG.warn("Could not delete {}: {}", dir, e.toString());
    }
  }

  private static long millisSince(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
  }

  /**
   * Smoke check, also from the shaded jar: {@code java -cp kie-worker.jar io.kieworker.tools.broker.EmbeddedKafka}
   * starts a broker, produces and consumes one record with plain kafka-clients, restarts, reads the
   * record again, and stops. Exit status 0 = all went well.
   */
  public static void main(String[] args) {
    String topic = "smoke";
    try (EmbeddedKafka kafka = start()) {
      System.out.println("bootstrap.servers=" + kafka.bootstrapServers());
      kafka.createTopics(Topics.Spec.plain(topic, 1));
      produceOne(kafka.bootstrapServers(), topic);
      System.out.println("consumed: " + consumeFirst(kafka.bootstrapServers(), topic));
      kafka.restart();
      System.out.println("after restart: " + consumeFirst(kafka.bootstrapServers(), topic));
    }
    System.out.println("embedded Kafka smoke check passed");
  }

  private static void produceOne(String bootstrap, String topic) {
    Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000, ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 15_000,
        ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    try (var producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
      producer.send(new ProducerRecord<>(topic, "key", "hello")).get(20, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("produce failed", e);
    }
  }

  private static String consumeFirst(String bootstrap, String topic) {
    Map<String, Object> config = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest", ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    try (var consumer = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
      consumer.assign(List.of(new TopicPartition(topic, 0)));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
          return record.key() + "=" + record.value();
        }
      }
    }
    throw new IllegalStateException("no record within 20 s");
  }
}
