package io.kieworker.tools.bench;

import io.kieworker.tools.broker.EmbeddedKafka;
import java.util.List;

/** Starts the in-process broker once and runs the chosen scenarios against it. */
public final class BenchRun {
  public static final List<String> SCENARIOS =
      List.of("throughput", "pending", "polling", "ratelimit", "forwarding", "queue");
  /** The ratelimit scenario's backlog skews ({@code --skew}). */
  public static final List<String> RATE_SKEWS = RateLimitBench.SKEWS;

  private BenchRun() {}

  public static BenchReport run(BenchOptions options) {
    List<String> chosen = "all".equals(options.scenario()) ? SCENARIOS : List.of(options.scenario());
    BenchReport report = new BenchReport(options.scenario());
    long t = System.nanoTime();
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      options.out().printf("broker (KRaft, in-process) ready at %s in %.1fs%n", kafka.bootstrapServers(),
          (System.nanoTime() - t) / 1e9);
      for (String scenario : chosen) {
        long begin = System.nanoTime();
        options.out().printf("%n== %s ==%n", scenario);
        switch (scenario) {
          case "throughput" -> new ThroughputBench(options, kafka.bootstrapServers(), report).run();
          case "pending" -> new PendingBench(options, kafka.bootstrapServers(), report).run();
          case "polling" -> new PollingBench(options, kafka.bootstrapServers(), report).run();
          case "ratelimit" -> new RateLimitBench(options, kafka.bootstrapServers(), report).run();
          case "forwarding" -> new ForwardingBench(options, kafka.bootstrapServers(), report).run();
          case "queue" -> new QueueBench(options, kafka.bootstrapServers(), report).run();
          default -> throw new IllegalArgumentException("unknown scenario " + scenario);
        }
        options.out().printf("   %s took %.1fs%n", scenario, (System.nanoTime() - begin) / 1e9);
      }
    }
    return report;
  }
}
