package io.kieworker.sim;

import io.kieworker.model.ModelRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Kie.ai look-alike HTTP server: Market and legacy task APIs, file uploads, credits,
 * download links and callbacks, with faults and scripted answers for tests. Everything runs on the
 * event loop of this verticle; the Java API below is safe to call from any thread.
 *
 * <pre>{@code
 * KieSimulator sim = KieSimulator.start(vertx, new SimOptions().apiKey("k")).await();
 * client.baseUrl(sim.baseUrl());
 * sim.script(SimEndpoint.CREATE_TASK, ScriptedResponse.error(429), ScriptedResponse.error(500));
 * }</pre>
 */
public final class KieSimulator extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(KieSimulator.class);

  private final SimOptions options;
  private SimState state;
  private HttpServer server;

  private KieSimulator(SimOptions options) {
    this.options = options;
  }

  /** Deploys a simulator; port 0 in the options picks a free port. */
  public static Future<KieSimulator> start(Vertx vertx, SimOptions options) {
    if (options.apiKeys().isEmpty()) {
      return Future.failedFuture(new IllegalArgumentException("the simulator needs at least one API key"));
    }
    KieSimulator sim = new KieSimulator(options);
    return vertx.deployVerticle(sim).map(id -> sim);
  }

  @Override
  public Future<?> start() {
    state = new SimState(vertx, options, ModelRegistry.builtIn());
    return vertx.createHttpServer()
        .requestHandler(router())
        .listen(options.port(), options.host())
        .onSuccess(s -> {
          server = s;
          state.ownBaseUrl = baseUrl();
          LOG.info("Kie.ai simulator listening on {} ({})", baseUrl(), options);
        });
  }

  @Override
  public Future<?> stop() {
    state.callbacks.close();
    return server == null ? Future.succeededFuture() : server.close();
  }

  public int port() {
    return server.actualPort();
  }

  /** {@code http://host:port}, to use as both the API and the upload base URL. */
  public String baseUrl() {
    return "http://" + options.host() + ":" + port();
  }

  /** Live, thread-safe counters. */
  public SimCounters counters() {
    return state.counters;
  }

  /** Counters plus task and credit totals, as {@code GET /sim/stats} shows them. */
  public JsonObject stats() {
    return AdminApi.stats(state);
  }

  /** The live fault settings: changes apply to the next request. */
  public SimFaults faults() {
    return state.faults;
  }

  /** Queues the next answers of {@code endpoint}, used in order before any random fault. */
  public KieSimulator script(SimEndpoint endpoint, ScriptedResponse... responses) {
    state.script(endpoint, List.of(responses));
    return this;
  }

  /** The stored file a download URL of this simulator names, if any. */
  public java.util.Optional<SimFile> fileAt(String downloadUrl) {
    String prefix = options.fileBaseUrl() + "/";
    return downloadUrl != null && downloadUrl.startsWith(prefix)
        ? java.util.Optional.ofNullable(state.files.get(downloadUrl.substring(prefix.length())))
        : java.util.Optional.empty();
  }

  /** Every stored file, by path. */
  public java.util.Map<String, SimFile> files() {
    return java.util.Map.copyOf(state.files);
  }

  /** Counts an upload from its first byte to its answer, so concurrency includes body transfer. */
  private void meterUpload(io.vertx.ext.web.RoutingContext ctx) {
    long bytes;
    try {
      String length = ctx.request().getHeader("Content-Length");
      bytes = length == null ? 0 : Long.parseLong(length.trim());
    } catch (NumberFormatException e) {
      bytes = 0;
    }
    long announced = bytes;
    state.counters.uploadStarted(announced);
    java.util.concurrent.atomic.AtomicBoolean ended = new java.util.concurrent.atomic.AtomicBoolean();
    Runnable end = () -> {
      if (ended.compareAndSet(false, true)) {
        state.counters.uploadEnded(announced);
      }
    };
    ctx.addEndHandler(v -> end.run());
    ctx.response().closeHandler(v -> end.run());
    ctx.next();
  }

  public SimTasks tasks() {
    return state.tasks;
  }

  public KieSimulator credits(double credits) {
    state.tasks.balance(credits);
    return this;
  }

  /** Back to the start options: tasks, counters, scripts, faults, credits, rate limits. */
  public Future<Void> reset() {
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> {
      state.reset();
      done.complete();
    });
    return done.future();
  }

  public Future<Void> close() {
    return vertx.undeploy(deploymentID());
  }

  private Router router() {
    Router router = Router.router(vertx);
    BodyHandler body = BodyHandler.create()
        .setBodyLimit(options.bodyLimitBytes())
        .setUploadsDirectory(Path.of(System.getProperty("java.io.tmpdir"), "kie-sim-uploads").toString())
        .setDeleteUploadedFilesOnEnd(true);
    router.route("/api/file-*").handler(this::meterUpload); // before the body is read
    router.route("/api/*").handler(body);
    router.route("/sim/*").handler(body);

    ApiGate gate = new ApiGate(state);
    TaskApi tasks = new TaskApi(state);
    UploadApi uploads = new UploadApi(state);
    api(router, gate, HttpMethod.POST, "/api/v1/jobs/createTask", SimEndpoint.CREATE_TASK, tasks::createTask);
    api(router, gate, HttpMethod.GET, "/api/v1/jobs/recordInfo", SimEndpoint.RECORD_INFO, tasks::recordInfo);
    api(router, gate, HttpMethod.POST, "/api/v1/nano-banana/generate", SimEndpoint.LEGACY_GENERATE,
        tasks::legacyGenerate);
    api(router, gate, HttpMethod.GET, "/api/v1/nano-banana/record-info", SimEndpoint.LEGACY_RECORD_INFO,
        tasks::legacyRecordInfo);
    api(router, gate, HttpMethod.GET, "/api/v1/chat/credit", SimEndpoint.CREDIT, tasks::credit);
    api(router, gate, HttpMethod.POST, "/api/v1/common/download-url", SimEndpoint.DOWNLOAD_URL,
        tasks::downloadUrl);
    api(router, gate, HttpMethod.POST, "/api/file-base64-upload", SimEndpoint.UPLOAD_BASE64, uploads::base64);
    api(router, gate, HttpMethod.POST, "/api/file-stream-upload", SimEndpoint.UPLOAD_STREAM, uploads::stream);
    api(router, gate, HttpMethod.POST, "/api/file-url-upload", SimEndpoint.UPLOAD_URL, uploads::url);
    router.get("/results/:file").handler(this::resultImage);
    new AdminApi(state).mount(router);
    router.route("/api/*").handler(ctx -> ctx.response().putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("code", 404).put("msg", ApiGate.defaultMessage(404)).putNull("data").encode()));
    return router;
  }

  /** {@code GET /results/<taskId>.<ext>}: the image of a task that succeeded (404 otherwise). */
  private void resultImage(io.vertx.ext.web.RoutingContext ctx) {
    String file = ctx.pathParam("file");
    int dot = file.lastIndexOf('.');
    SimTask task = dot <= 0 ? null : state.tasks.find(file.substring(0, dot)).orElse(null);
    String ext = dot <= 0 ? "" : file.substring(dot + 1);
    if (task == null || task.state(System.currentTimeMillis()) != SimTask.State.SUCCESS
        || !task.resultUrl().endsWith("/" + file)) {
      ctx.response().setStatusCode(404).end();
      return;
    }
    state.counters.resultDownloads.increment();
    int pixels = options.resultImagePixels();
    vertx.executeBlocking(() -> SimImages.render(task.taskId(), ext, pixels), false)
        .onSuccess(bytes -> ctx.response().putHeader("Content-Type", SimImages.contentType(ext))
            .end(io.vertx.core.buffer.Buffer.buffer(bytes)))
        .onFailure(e -> ctx.response().setStatusCode(500).end());
  }

  private static void api(Router router, ApiGate gate, HttpMethod method, String path, SimEndpoint endpoint,
      ApiGate.Endpoint handler) {
    router.route(method, path).handler(gate.guard(endpoint, handler));
  }
}
