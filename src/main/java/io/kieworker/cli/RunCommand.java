package io.kieworker.cli;

import io.kieworker.config.ConfigException;
import io.kieworker.config.ConfigLoader;
import io.kieworker.config.WorkerConfig;
import io.kieworker.worker.StartupFailure;
import io.kieworker.worker.WorkerApp;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kie-worker run}: the worker, configured by conf/application.yaml and the environment. */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = {"Consumes generation requests from Kafka, runs them on Kie.ai and publishes one result each.",
        "Every setting comes from conf/application.yaml, overridable by environment variables",
        "(KAFKA_BOOTSTRAP_SERVERS, KIE_API_KEY, KIE_CALLBACK_BASE_URL, HTTP_PORT, ...: see README)."})
public final class RunCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);
  /** Every step of the start is bounded on its own; this bounds their sum well inside a minute. */
  private static final Duration START_TIMEOUT = Duration.ofSeconds(50);

  @Option(names = {"-c", "--config"}, paramLabel = "FILE",
      description = "YAML file laid over the bundled defaults (default: conf/application.yaml if present)")
  Path config;

  @Override
  public Integer call() throws Exception {
    WorkerConfig workerConfig;
    try {
      workerConfig = ConfigLoader.load(configFile(), System.getenv());
    } catch (ConfigException e) {
      System.err.println("kie-worker: invalid configuration:");
      e.problems().forEach(p -> System.err.println("  - " + p));
      return 2;
    }
    LOG.info("Starting with {}", workerConfig);
    WorkerApp app;
    try {
      app = WorkerApp.start(workerConfig).toCompletionStage().toCompletableFuture()
          .get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      return cannotStart("the start did not finish within " + START_TIMEOUT.toSeconds()
          + " s (Kafka or Kie.ai answering very slowly?)", e);
    } catch (ExecutionException e) {
      return cannotStart(describe(e.getCause()), e.getCause());
    }
    LOG.info("kie-worker ready; HTTP on port {}", app.httpPort());
    CountDownLatch stopped = new CountDownLatch(1);
    AtomicReference<Throwable> stopError = new AtomicReference<>();
    // SIGTERM / Ctrl-C: graceful stop within the configured shutdown timeout (Kubernetes' grace period).
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      LOG.info("Stopping kie-worker");
      app.stop().onComplete(ar -> {
        stopError.set(ar.cause());
        stopped.countDown();
      });
      try {
        stopped.await(workerConfig.worker().shutdownTimeout().toMillis() + 5_000, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "kie-worker-shutdown"));
    stopped.await();
    return stopError.get() == null ? 0 : 1;
  }

  private Path configFile() {
    if (config != null) {
      return config;
    }
    Path local = Path.of("conf/application.yaml");
    return local.toFile().isFile() ? local : null;
  }

  /**
   * One line on stderr, the same sentence logged (with the stack trace at DEBUG), exit code 1. The
   * process then exits through System.exit, whatever client threads are still running.
   */
  private static int cannotStart(String why, Throwable cause) {
    LOG.error("Could not start: {}", why);
    LOG.debug("Start failure", cause);
    System.err.println("kie-worker: could not start: " + why);
    return 1;
  }

  /** A {@link StartupFailure}'s own sentence, else the root cause's type and message. */
  static String describe(Throwable e) {
    StartupFailure failure = StartupFailure.in(e);
    return failure != null ? failure.getMessage() : rootMessage(e);
  }

  public static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getClass().getSimpleName() + ": " + t.getMessage();
  }
}
