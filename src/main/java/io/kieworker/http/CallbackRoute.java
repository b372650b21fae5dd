package io.kieworker.http;

import io.kieworker.callback.KieCallback;
import io.kieworker.callback.WebhookSignature;
import io.kieworker.ledger.LedgerRecord;
import io.kieworker.ledger.TaskLedger;
import io.kieworker.metrics.WorkerMetrics;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /callbacks/kie/{partition}/{requestId}?token=…}. Any instance of the group may receive
 * a callback: it checks the URL token (and Kie.ai's signature when a webhook key is set), appends a
 * CALLBACK record to the owner's ledger partition and answers {@code {"code":200,"msg":"success"}}.
 * The owner, tailing that partition, confirms with recordInfo and completes. Nothing here changes a
 * task: a forged, unknown or replayed callback at worst causes one extra status read.
 */
public final class CallbackRoute implements Handler<RoutingContext> {
  private static final Logger LOG = LoggerFactory.getLogger(CallbackRoute.class);

  private final TaskLedger ledger;
  private final CallbackToken token;
  private final WebhookSignature signature;
  private final WorkerMetrics metrics;
  private final String instanceId;
  private final IntSupplier partitions;

  public CallbackRoute(TaskLedger ledger, CallbackToken token, String webhookHmacKey, WorkerMetrics metrics,
      String instanceId, IntSupplier partitions) {
    this.ledger = ledger;
    this.token = token;
    this.signature = webhookHmacKey == null ? null : new WebhookSignature(webhookHmacKey);
    this.metrics = metrics;
    this.instanceId = instanceId;
    this.partitions = partitions;
  }

  @Override
  public void handle(RoutingContext ctx) {
    String requestId = ctx.pathParam("requestId");
    Integer partition = partitionOf(ctx.pathParam("partition"));
    if (partition == null) {
      refuse(ctx, 400, "partition", "unknown partition");
      return;
    }
    if (!token.verify(requestId, ctx.request().getParam("token"))) {
      refuse(ctx, 403, "token", "invalid token");
      return;
    }
    KieCallback callback;
    try {
      callback = KieCallback.parse(ctx.body().buffer());
    } catch (KieCallback.InvalidCallbackException e) {
      refuse(ctx, 400, "body", e.getMessage());
      return;
    }
    if (signature != null) {
      WebhookSignature.Verdict verdict = signature.verify(callback.taskId(),
          ctx.request().getHeader(WebhookSignature.TIMESTAMP_HEADER),
          ctx.request().getHeader(WebhookSignature.SIGNATURE_HEADER), Instant.now());
      if (verdict != WebhookSignature.Verdict.VALID) {
        refuse(ctx, 401, "signature-" + verdict.name().toLowerCase(), "signature " + verdict.name().toLowerCase());
        return;
      }
    }
    LedgerRecord record = LedgerRecord.callback(requestId, callback.taskId(), instanceId, Instant.now(),
        callback.data());
    ledger.write(partition, record).onComplete(ar -> {
      if (ar.succeeded()) {
        metrics.callback("accepted", "ok");
        answer(ctx, 200, "success");
      } else {
        // Kie.ai retries a callback that was not answered 200.
        LOG.warn("Could not record callback for {} (task {}): {}", requestId, callback.taskId(), ar.cause().toString());
        metrics.callback("rejected", "ledger-unavailable");
        answer(ctx, 503, "try again later");
      }
    });
  }

  private Integer partitionOf(String text) {
    try {
      int p = Integer.parseInt(text);
      return p >= 0 && p < partitions.getAsInt() ? p : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private void refuse(RoutingContext ctx, int status, String reason, String message) {
    metrics.callback("rejected", reason);
    LOG.info("Refused callback {} from {}: {}", ctx.normalizedPath(), ctx.request().remoteAddress(), message);
    answer(ctx, status, message);
  }

  private static void answer(RoutingContext ctx, int status, String message) {
    ctx.response().setStatusCode(status).putHeader("content-type", "application/json")
        .end(new JsonObject().put("code", status).put("msg", message).encode());
  }
}
