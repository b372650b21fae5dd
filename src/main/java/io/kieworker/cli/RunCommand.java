package io.kieworker.cli;

import io.kieworker.config.ConfigException;
import io.kieworker.config.ConfigLoader;
import io.kieworker.config.WorkerConfig;
import io.kieworker.worker.WorkerApp;
import java.nio.file.Path;
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
      app = WorkerApp.start(workerConfig).toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
    } catch (Exception e) {
      System.err.println("kie-worker: could not start: " + rootMessage(e));
      return 1;
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

  public static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getClass().getSimpleName() + ": " + t.getMessage();
  }
}
