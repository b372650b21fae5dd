package io.kieworker.tools.cli;

import io.kieworker.cli.RunCommand;
import io.kieworker.logging.QuietLogs;
import io.kieworker.sim.SimDurations;
import io.kieworker.tools.demo.DemoOptions;
import io.kieworker.tools.demo.DemoRun;
import io.kieworker.tools.demo.DemoSample;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kie-worker demo}: the whole pipeline on one machine, no Kafka install and no API key. */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Runs the whole pipeline on this machine: no Kafka install, no API key.",
        "Starts an embedded Kafka broker (KRaft), the Kie.ai simulator and a worker in",
        "this JVM, produces a sample of requests (every model, the legacy endpoint,",
        "inline images, a scripted failure, invalid input; two tenants and a high-",
        "priority request last), prints each result as it arrives, then a summary",
        "(with each tenant's queue wait and what the high-priority request",
        "overtook), and stops everything. Exit status: 0 when every",
        "request got exactly one result, as scripted; 1 otherwise or on timeout;",
        "2 on bad options."})
public final class DemoCommand implements Callable<Integer> {

  @Option(names = "--requests", paramLabel = "N", defaultValue = "24",
      description = "Requests to send (default ${DEFAULT-VALUE}; the first " + DemoSample.SCENARIOS
          + " are the scripted scenarios, more add plain valid requests).")
  int requests;

  @Option(names = "--callbacks", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Kie.ai calls the worker's HTTP port back when a task ends (default); "
          + "--no-callbacks = poll only.")
  boolean callbacks;

  @Option(names = "--latency", paramLabel = "MIN..MAX", defaultValue = "1s..4s",
      description = "Simulated generation time, e.g. 500ms..2s (default ${DEFAULT-VALUE}).")
  String latency;

  @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "3m",
      description = "Bound on the whole run, start-up included (default ${DEFAULT-VALUE}).")
  String timeout;

  @Option(names = "--seed", description = "Seed for the simulated latencies (default: random).")
  Long seed;

  @Option(names = "--store", paramLabel = "s3://BUCKET/PREFIX",
      description = "Copy every result image into this bucket before publishing (the result store); the table "
          + "shows the stored URLs. The S3 server is WORKER_RESULT_STORE_ENDPOINT's (e.g. a local MinIO or s3rver; "
          + "the demo starts none) or AWS S3 without it; credentials and region from the AWS SDK's chain.")
  String store;

  @Option(names = "--verbose", description = "Also show the worker's and Kafka's INFO logs.")
  boolean verbose;

  @Override
  public Integer call() {
    DemoOptions options;
    try {
      SimDurations.LatencyRange range = SimDurations.parseRange(latency);
      Duration bound = SimDurations.parse(timeout);
      String endpoint = System.getenv("WORKER_RESULT_STORE_ENDPOINT");
      options = new DemoOptions(requests, callbacks, range.min(), range.max(), bound, seed, store,
          endpoint == null || endpoint.isBlank() ? null : endpoint);
    } catch (IllegalArgumentException e) {
      System.err.println("demo: " + e.getMessage());
      return 2;
    }
    if (!verbose) {
      QuietLogs.apply();
    }
    PrintStream out = System.out;
    out.printf("kie-worker demo: %d requests, %s, simulated latency %s, timeout %s%n", options.requests(),
        callbacks ? "callbacks" : "poll only", latency, timeout);
    DemoRun run = new DemoRun(options, out);
    AtomicBoolean interrupted = new AtomicBoolean();
    Thread onCtrlC = new Thread(() -> {
      interrupted.set(true);
      run.close();
    }, "demo-shutdown");
    Runtime.getRuntime().addShutdownHook(onCtrlC);
    DemoRun.Outcome outcome;
    try {
      outcome = run.execute();
    } catch (RuntimeException e) {
      run.close();
      out.println();
      out.println(interrupted.get() ? "DEMO INTERRUPTED: stopped before the end."
          : "DEMO FAILED: " + RunCommand.rootMessage(e));
      return 1;
    } finally {
      run.close();
      removeHook(onCtrlC);
    }
    out.println();
    out.println(finalLine(outcome));
    return outcome.ok() ? 0 : 1;
  }

  private static String finalLine(DemoRun.Outcome o) {
    var t = o.tally();
    String counts = String.format("%d requests, %d results, %d missing, %d duplicates, %d not as scripted, in %.1fs",
        t.sent().size(), t.arrivals().size() + t.duplicates(), t.missing().size(), t.duplicates(),
        t.notAsScripted().size(), o.elapsed().toMillis() / 1000.0);
    if (o.ok()) {
      return "DEMO OK: every request got exactly one result (" + counts + ").";
    }
    return o.timedOut()
        ? "DEMO FAILED: timed out before every request had a result (" + counts + "); try a longer --timeout."
        : "DEMO FAILED: " + counts + ".";
  }

  private static void removeHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // the JVM is already shutting down; the hook runs close() again, which is a no-op
    }
  }
}
