package io.kieworker.tools.bench;

import io.kieworker.config.ConfigLoader;
import io.kieworker.sim.SimOptions;
import io.kieworker.worker.WorkerApp;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Scenario 1: a backlog of requests against a zero-latency simulator with no rate limit. The same
 * backlog is first copied by a plain consume→produce loop (the broker's ceiling on this machine),
 * then processed by the worker; the ratio says how much of the ceiling the worker reaches.
 */
final class ThroughputBench {
  static final String NAME = "throughput";
  private static final int PARTITIONS = 3;
  /**
   * Requests the bare pipeline keeps going at once. Each waits for five acks in a row (~5 ms of
   * linger each), so 64 leave it latency-bound at ~2,000/s; this many make it CPU-bound, as the
   * worker is with its 10,000 read ahead.
   */
  private static final int PIPELINE_IN_FLIGHT = 1024;

  private final BenchOptions options;
  private final String bootstrap;
  private final BenchReport report;
  /** Create + status-read pairs/s of a bare HTTP client against the measured run's simulator. */
  private double httpCeiling;
  /** The same pairs with a request's five durable writes around them, each waited for. */
  private double pipelineCeiling;

  ThroughputBench(BenchOptions options, String bootstrap, BenchReport report) {
    this.options = options;
    this.bootstrap = bootstrap;
    this.report = report;
  }

  void run() {
    int n = options.requestsOr(BenchOptions.THROUGHPUT_REQUESTS);
    int warmup = options.warmupOr(BenchOptions.THROUGHPUT_WARMUP);
    BenchTopics topics = BenchTopics.create(bootstrap, NAME, PARTITIONS);
    long t = System.nanoTime();
    produceBacklog(topics, n, "tp-");
    options.out().printf("   produced a backlog of %d requests in %.1fs%n", n, (System.nanoTime() - t) / 1e9);
    if (warmup > 0) {
      // Both loops measured JIT-compiled: in a cold JVM the compiler threads took ~0.3 ms of CPU per
      // request from the 2 cores during the worker's phase, and the copy loop, run first, was cold too.
      long w = System.nanoTime();
      BenchTopics warm = BenchTopics.create(bootstrap, NAME + "-warmup", PARTITIONS);
      produceBacklog(warm, warmup, "warm-");
      ceiling(warm, warmup);
      worker(warm, warmup, false);
      options.out().printf("   warm-up: %d requests through the copy loop and the worker in %.1fs (not measured)%n",
          warmup, (System.nanoTime() - w) / 1e9);
    }
    double ceiling = ceiling(topics, n);
    options.out().printf("   plain consume→produce loop: %.0f records/s%n", ceiling);
    double rate = worker(topics, n, true);
    report.figure(NAME, "http_ceiling_per_s", Bench.round(httpCeiling, 1));
    report.figure(NAME, "ratio_http_bound", Bench.round(httpCeiling / ceiling, 3));
    report.figure(NAME, "of_http_ceiling", Bench.round(rate / httpCeiling, 3));
    report.figure(NAME, "pipeline_ceiling_per_s", Bench.round(pipelineCeiling, 1));
    report.figure(NAME, "ratio_pipeline_bound", Bench.round(pipelineCeiling / ceiling, 3));
    report.figure(NAME, "of_pipeline_ceiling", Bench.round(rate / pipelineCeiling, 3));
    report.figure(NAME, "warmup_requests", warmup);
    report.figure(NAME, "requests", n);
    report.figure(NAME, "requests_per_s", Bench.round(rate, 1));
    report.figure(NAME, "kafka_ceiling_per_s", Bench.round(ceiling, 1));
    report.atLeast(NAME, "ratio", Bench.round(rate / ceiling, 3), 0.1); // issue 11 item 5
  }

  private void produceBacklog(BenchTopics topics, int n, String idPrefix) {
    try (RequestProducer producer = new RequestProducer(bootstrap, topics.requests())) {
      for (int i = 0; i < n; i++) {
        String id = idPrefix + i;
        producer.send(id, Bench.request(id, ""));
      }
      producer.flush();
    }
  }

  /** Records/s of a consume → produce → flush → commitSync loop over the backlog (at-least-once). */
  private double ceiling(BenchTopics topics, int n) {
    String sink = topics.requests() + ".copy";
    io.kieworker.kafka.Topics.createIfAbsent(bootstrap,
        List.of(io.kieworker.kafka.Topics.Spec.plain(sink, PARTITIONS)), Duration.ofSeconds(30));
    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, topics.group() + ".ceiling");
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "500");
    try (var consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
         var producer = new KafkaProducer<>(RequestProducer.config(bootstrap, "bench-ceiling"),
             new StringSerializer(), new ByteArraySerializer())) {
      consumer.subscribe(List.of(topics.requests()));
      int copied = 0;
      long first = 0;
      long deadline = System.nanoTime() + options.timeout().toNanos();
      while (copied < n && System.nanoTime() < deadline) {
        ConsumerRecords<String, byte[]> batch = consumer.poll(Duration.ofMillis(200));
        if (batch.isEmpty()) {
          continue;
        }
        if (first == 0) {
          first = System.nanoTime();
        }
        for (ConsumerRecord<String, byte[]> r : batch) {
          producer.send(new ProducerRecord<>(sink, r.key(), r.value()));
        }
        producer.flush();
        consumer.commitSync(Duration.ofSeconds(15));
        copied += batch.count();
      }
      Bench.require(copied >= n, "the consume→produce loop copied only " + copied + " of " + n);
      return n / ((System.nanoTime() - first) / 1e9);
    }
  }

  /** Steady-state requests/s: from the first result to the last; figures reported when {@code measured}. */
  private double worker(BenchTopics topics, int n, boolean measured) {
    SimOptions sim = new SimOptions().latency(SimOptions.ANY_MODEL, Duration.ZERO).rateLimit(0, Duration.ofSeconds(10));
    try (BenchSim simulator = new BenchSim(sim);
         ResultCollector results = new ResultCollector(bootstrap, topics.results(), PARTITIONS)) {
      Map<String, String> env = Bench.workerEnv(bootstrap, topics, simulator.baseUrl(), Map.of(
          "WORKER_CREATE_RATE_LIMIT", "1000000", "WORKER_CREATE_RATE_WINDOW", "1s",
          "WORKER_POLL_RATE", "1000000", "WORKER_POLL_MIN_GAP", "1ms", "WORKER_EXPECTED_DURATION", "1ms",
          "WORKER_MAX_INFLIGHT_CREATES", "64"));
      CpuMeter cpu = new CpuMeter().start();
      WorkerApp app = Bench.await(WorkerApp.start(ConfigLoader.load(null, env)), Bench.START_TIMEOUT, "starting the worker");
      try {
        var c = simulator.sim.counters();
        long deadline = System.nanoTime() + options.timeout().toNanos();
        while (!results.awaitCount(n, Duration.ofSeconds(5)) && System.nanoTime() < deadline) {
          if (!measured) {
            continue;
          }
          options.out().printf("   … %d creates, %d status reads, %d results, %d pending%n", c.createsAccepted(),
              c.recordInfoPolls(), results.count(), app.worker().pendingCount());
        }
        boolean done = results.count() >= n;
        Bench.require(done, "worker: only " + results.count() + " of " + n + " results within " + options.timeout());
        double seconds = (results.lastArrivalNanos() - results.firstArrivalNanos()) / 1e9;
        if (!measured) {
          return (n - 1) / Math.max(seconds, 1e-3);
        }
        reportCpu(cpu, n);
        var counters = simulator.sim.counters();
        options.out().printf("   worker: %d results (%d SUCCEEDED, %d duplicates) in %.1fs after the first; "
                + "%d creates, %d status reads%n", results.count(), results.status("SUCCEEDED"), results.duplicates(),
            seconds, counters.createsAccepted(), counters.recordInfoPolls());
        reportWrites(app, topics, n);
        report.figure(NAME, "duplicates", results.duplicates());
        report.figure(NAME, "polls_per_request", Bench.round(counters.recordInfoPolls() / (double) n, 3));
        return (n - 1) / Math.max(seconds, 1e-3);
      } finally {
        Bench.await(app.stop(), Duration.ofSeconds(60), "stopping the worker");
        // After the worker, so that a run without warm-up measures the worker as cold as before.
        httpCeiling(simulator, n, measured);
      }
    }
  }

  /**
   * Ledger records the worker wrote per request (the ledger's end offsets: compaction does not run
   * within a bench), and how many records the worker's producer put in one produce request.
   */
  private void reportWrites(WorkerApp app, BenchTopics topics, int n) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (var reader = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
      var partitions = reader.partitionsFor(topics.ledger(), Duration.ofSeconds(15)).stream()
          .map(p -> new org.apache.kafka.common.TopicPartition(p.topic(), p.partition())).toList();
      long records = reader.endOffsets(partitions, Duration.ofSeconds(15)).values().stream().mapToLong(Long::longValue).sum();
      var perRequest = app.registry().find("kafka.producer.records.per.request.avg").tag("kie_client", "producer").gauge();
      double batched = perRequest == null ? -1 : perRequest.value();
      options.out().printf("   ledger records per request: %.2f (OWNERSHIP records included); records per produce "
          + "request of the worker's producer: %.1f (average over its life)%n", records / (double) n, batched);
      report.figure(NAME, "ledger_records_per_request", Bench.round(records / (double) n, 2));
      report.figure(NAME, "records_per_produce_request", Bench.round(batched, 1));
    }
  }

  private void httpCeiling(BenchSim simulator, int n, boolean measured) {
    double http = HttpCeiling.pairsPerSecond(simulator.baseUrl(), n, 64, options.timeout());
    String sink = "bench." + NAME + ".pipeline." + System.nanoTime();
    io.kieworker.kafka.Topics.createIfAbsent(bootstrap,
        List.of(io.kieworker.kafka.Topics.Spec.plain(sink, PARTITIONS)), Duration.ofSeconds(30));
    double pipeline;
    try (var producer = new KafkaProducer<>(RequestProducer.config(bootstrap, "bench-pipeline"),
        new StringSerializer(), new ByteArraySerializer())) {
      // About a ledger record's size for this scenario's requests (the TERMINAL one is larger, the others smaller).
      byte[] value = new byte[700];
      java.util.Arrays.fill(value, (byte) 'x');
      pipeline = HttpCeiling.pairsPerSecond(simulator.baseUrl(), n, PIPELINE_IN_FLIGHT, options.timeout(),
          new HttpCeiling.Writes(producer, sink, value));
    }
    if (measured) {
      httpCeiling = http;
      pipelineCeiling = pipeline;
      options.out().printf("   bare HTTP client, createTask + recordInfo against the simulator: %.0f pairs/s; "
          + "with a request's 5 acks=all writes around them (bare pipeline): %.0f/s%n", http, pipeline);
    }
  }

  /**
   * CPU per request over the worker phase (worker start → last result). The process figure includes
   * the broker, the simulator and the bench's own clients, which share this JVM; the event-loop
   * figure is the worker's Vert.x event loops alone.
   */
  private void reportCpu(CpuMeter cpu, int n) {
    long process = cpu.processNanos();
    long loop = cpu.newEventLoopNanos();
    double processMs = process < 0 ? -1 : process / 1e6 / n;
    double loopMs = loop < 0 ? -1 : loop / 1e6 / n;
    options.out().printf("   CPU per request (worker phase): %.3f ms process (broker, simulator, bench clients and "
        + "worker share the process), %.3f ms the worker's event loop(s)%n", processMs, loopMs);
    options.out().printf("   CPU by thread group over the worker phase: %s; besides: GC %d ms, JIT %d ms (%s)%n",
        cpu.topThreadGroups(8), cpu.gcMillisSinceStart(), cpu.jitMillisSinceStart(),
        ManagementFactory.getGarbageCollectorMXBeans().stream().map(b -> b.getName()).toList());
    report.figure(NAME, "cpu_ms_per_request", Bench.round(processMs, 3));
    report.figure(NAME, "worker_loop_cpu_ms_per_request", Bench.round(loopMs, 3));
  }
}
