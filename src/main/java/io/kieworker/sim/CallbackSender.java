package io.kieworker.sim;

import io.kieworker.callback.WebhookSignature;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * POSTs a finished task to its callBackUrl like Kie.ai: up to {@code attempts} deliveries spaced by
 * {@code retryDelay}, success = any 2xx, each request bounded by the callback timeout. Signs when a
 * webhook HMAC key is configured. Runs on the simulator's event loop.
 */
final class CallbackSender {
  private static final Logger LOG = LoggerFactory.getLogger(CallbackSender.class);

  private final Vertx vertx;
  private final WebClient client;
  private final SimOptions options;
  private final WebhookSignature signature;
  private final SimCounters counters;

  CallbackSender(Vertx vertx, SimOptions options, SimCounters counters) {
    this.vertx = vertx;
    this.options = options;
    this.counters = counters;
    this.signature = options.signsCallbacks() ? new WebhookSignature(options.webhookHmacKey()) : null;
    long timeout = options.callbackTimeout().toMillis();
    this.client = WebClient.create(vertx, new WebClientOptions()
        .setUserAgent("kie-sim-callback/1.0")
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, timeout)));
  }

  /** {@code stillCurrent} turns false after a reset, so callbacks of cleared tasks stop. */
  void deliver(SimTask task, JsonObject body, BooleanSupplier stillCurrent) {
    counters.callbacksSent.increment();
    attempt(task, body, 1, stillCurrent);
  }

  private void attempt(SimTask task, JsonObject body, int attempt, BooleanSupplier stillCurrent) {
    if (!stillCurrent.getAsBoolean()) {
      return;
    }
    counters.callbackAttempts.increment();
    var request = client.postAbs(task.callBackUrl())
        .timeout(options.callbackTimeout().toMillis())
        .putHeader("Content-Type", "application/json");
    if (signature != null) {
      long now = System.currentTimeMillis() / 1000;
      request.putHeader(WebhookSignature.TIMESTAMP_HEADER, Long.toString(now))
          .putHeader(WebhookSignature.SIGNATURE_HEADER, signature.sign(task.taskId(), now));
    }
    request.sendBuffer(body.toBuffer()).onComplete(ar -> {
      int status = ar.succeeded() ? ar.result().statusCode() : -1;
      if (status >= 200 && status < 300) {
        counters.callbacksSucceeded.increment();
      } else if (attempt < options.callbackAttempts()) {
        LOG.debug("callback taskId={} attempt={} failed (status {}), retrying", task.taskId(), attempt, status);
        vertx.setTimer(Math.max(1, options.callbackRetryDelay().toMillis()),
            id -> attempt(task, body, attempt + 1, stillCurrent));
      } else {
        counters.callbacksFailed.increment();
        LOG.info("callback taskId={} gave up after {} attempts (last status {})", task.taskId(), attempt, status);
      }
    });
  }

  void close() {
    client.close();
  }
}
