package io.kieworker.http;

import io.kieworker.callback.CallbackRoute;
import io.kieworker.callback.CallbackUrls;
import io.kieworker.health.Health;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;

/** The worker's HTTP surface on HTTP_PORT: the callback route, health probes and /metrics. */
public final class HttpApi {
  private HttpApi() {}

  public static Router router(Vertx vertx, CallbackRoute callbacks, Health health, PrometheusMeterRegistry prometheus) {
    Router router = Router.router(vertx);
    // No BodyHandler: the callback route checks the address and token first, then reads a capped body.
    router.post(CallbackUrls.ROUTE).handler(callbacks);
    router.get("/health/live").handler(ctx -> ctx.response().putHeader("content-type", "application/json")
        .end("{\"status\":\"UP\"}"));
    router.get("/health/ready").handler(ctx -> {
      String reason = health.notReadyReason();
      ctx.response().setStatusCode(reason == null ? 200 : 503)
          .putHeader("content-type", "application/json").end(health.toJson().encode());
    });
    if (prometheus != null) {
      router.get("/metrics").handler(ctx -> ctx.response()
          .putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8")
          .end(prometheus.scrape()));
    }
    return router;
  }

  public static Future<HttpServer> listen(Vertx vertx, Router router, String host, int port) {
    return vertx.createHttpServer().requestHandler(router).listen(port, host);
  }
}
