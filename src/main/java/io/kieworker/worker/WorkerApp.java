package io.kieworker.worker;

import io.kieworker.config.WorkerConfig;
import io.kieworker.metrics.MetricsSetup;
import io.kieworker.metrics.WorkerMetrics;
import io.kieworker.model.ModelRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;

/**
 * One running worker: its own Vert.x instance (with Micrometer metrics), the Prometheus registry
 * and the deployed {@link Worker}. Used by {@code run}, {@code demo}, the tests and the benchmarks.
 */
public final class WorkerApp {
  private final Vertx vertx;
  private final Worker worker;
  private final PrometheusMeterRegistry registry;
  private final String deploymentId;

  private WorkerApp(Vertx vertx, Worker worker, PrometheusMeterRegistry registry, String deploymentId) {
    this.vertx = vertx;
    this.worker = worker;
    this.registry = registry;
    this.deploymentId = deploymentId;
  }

  public static Future<WorkerApp> start(WorkerConfig config) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    MetricsSetup.excludeScrapes(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    Vertx vertx = Vertx.builder()
        .with(new VertxOptions().setMetricsOptions(MetricsSetup.vertxOptions()))
        .withMetrics(new MicrometerMetricsFactory(registry))
        .build();
    Worker worker = new Worker(config, ModelRegistry.builtIn(), new WorkerMetrics(registry), registry);
    return vertx.executeBlocking(() -> {
          TopicSetup.checkReachable(io.kieworker.kafka.KafkaClients.base(config.kafka()), config.kafka().bootstrapServers());
          return null;
        })
        .compose(v -> vertx.deployVerticle(worker, new DeploymentOptions()))
        .map(id -> new WorkerApp(vertx, worker, registry, id))
        .recover(e -> {
          // Closed in the background, as in stop(): a listener on the close future would be called
          // on an event loop the close has already terminated (RejectedExecutionException), and the
          // failure would never reach the caller.
          vertx.close();
          return Future.failedFuture(e);
        });
  }

  public Worker worker() {
    return worker;
  }

  public Vertx vertx() {
    return vertx;
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  public int httpPort() {
    return worker.httpPort();
  }

  /**
   * Graceful stop (see {@link Worker#stop()}), then the Vert.x instance is closed in the background:
   * the future of {@code Vertx.close()} may never complete for a caller outside Vert.x, because it
   * is delivered on an event loop that the close itself terminates.
   */
  public Future<Void> stop() {
    return vertx.undeploy(deploymentId).eventually(() -> {
      vertx.close();
      return Future.succeededFuture();
    });
  }
}
