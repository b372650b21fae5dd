package io.kieworker.callback;

import io.kieworker.callback.KieCallback;
import io.kieworker.callback.WebhookSignature;
import io.kieworker.ledger.LedgerRecord;
import io.kieworker.ledger.TaskLedger;
import io.kieworker.metrics.WorkerMetrics;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /callbacks/kie/{partition}/{requestId}?attempt=N&token=…} (URL built by
 * {@link CallbackUrls#url}). Any instance of the group may receive a callback: it checks the
 * partition and the URL token before reading any of the body, then reads at most
 * {@link KieCallback#MAX_BODY_BYTES}, checks Kie.ai's signature when a webhook key is set, appends a
 * CALLBACK record (with the attempt) to the owner's ledger partition and answers
 * {@code {"code":200,"msg":"success"}}. The owner, tailing that partition, ignores a callback of
 * another attempt, and confirms the rest with recordInfo. Nothing here changes a task: a forged,
 * unknown or replayed callback at worst causes one extra status read.
 *
 * <p>A URL without {@code attempt} is one written before attempts were bound (an in-flight task at
 * upgrade): its unbound token is still accepted and recorded with attempt 0.
 */
public final class CallbackRoute implements Handler<RoutingContext> {
  private static final Logger LOG = LoggerFactory.getLogger(CallbackRoute.class);
  /** Attempts are bounded by WORKER_RESUBMIT_5XX (at most 100) plus ambiguous resubmissions. */
  private static final int MAX_ATTEMPT_DIGITS = 6;
  private static final int MAX_LOGGED_PATH = 200;

  private final TaskLedger ledger;
  private final CallbackToken token;
  private final WebhookSignature signature;
  private final WorkerMetrics metrics;
  private final String instanceId;
  private final IntSupplier partitions;
  private final RefusalLog refusals = new RefusalLog(LOG, System::currentTimeMillis);

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
    Integer attempt = attemptOf(ctx.request().getParam(CallbackUrls.ATTEMPT_PARAM));
    if (attempt == null) {
      refuse(ctx, 400, "attempt", "attempt is not a positive number");
      return;
    }
    String given = ctx.request().getParam(CallbackUrls.TOKEN_PARAM);
    boolean valid = attempt == 0 ? token.verifyUnbound(requestId, given) : token.verify(requestId, attempt, given);
    if (!valid) {
      refuse(ctx, 403, "token", "invalid token");
      return;
    }
    readBody(ctx, body -> onBody(ctx, partition, requestId, attempt, body));
  }

  /**
   * Reads the body only now that the address is known to be ours, and never more than the cap:
   * a declared or actual length beyond it is answered 413 without buffering the rest.
   */
  private void readBody(RoutingContext ctx, Handler<Buffer> then) {
    HttpServerRequest request = ctx.request();
    String declared = request.getHeader("Content-Length");
    if (declared != null && declaredTooLarge(declared)) {
      refuse(ctx, 413, "too-large", "body of " + declared.trim() + " bytes exceeds " + KieCallback.MAX_BODY_BYTES);
      return;
    }
    Buffer body = Buffer.buffer();
    boolean[] refused = {false};
    request.handler(chunk -> {
      if (refused[0]) {
        return;
      }
      if (body.length() + chunk.length() > KieCallback.MAX_BODY_BYTES) {
        refused[0] = true;
        refuse(ctx, 413, "too-large", "body exceeds " + KieCallback.MAX_BODY_BYTES + " bytes");
        return;
      }
      body.appendBuffer(chunk);
    });
    request.endHandler(v -> {
      if (!refused[0]) {
        then.handle(body);
      }
    });
    request.exceptionHandler(e -> refused[0] = true); // the client went away: nothing to answer
    request.resume();
  }

  private static boolean declaredTooLarge(String declared) {
    try {
      return Long.parseLong(declared.trim()) > KieCallback.MAX_BODY_BYTES;
    } catch (NumberFormatException e) {
      return true;
    }
  }

  private void onBody(RoutingContext ctx, int partition, String requestId, int attempt, Buffer body) {
    KieCallback callback;
    try {
      callback = KieCallback.parse(body);
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
    LedgerRecord record = LedgerRecord.callback(requestId, callback.taskId(), attempt, instanceId, Instant.now(),
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

  /** 0 when the URL carries no attempt (an unbound URL), null when the value is not a positive number. */
  private static Integer attemptOf(String text) {
    if (text == null) {
      return 0;
    }
    if (text.isEmpty() || text.length() > MAX_ATTEMPT_DIGITS || !text.chars().allMatch(Character::isDigit)) {
      return null;
    }
    int attempt = Integer.parseInt(text);
    return attempt > 0 ? attempt : null;
  }

  private void refuse(RoutingContext ctx, int status, String reason, String message) {
    metrics.callback("rejected", reason);
    String path = ctx.normalizedPath();
    refusals.refused(reason, path.length() > MAX_LOGGED_PATH ? path.substring(0, MAX_LOGGED_PATH) + "…" : path,
        ctx.request().remoteAddress(), message);
    if (!ctx.request().isEnded()) {
      // The rest of the body is not wanted: close instead of reading it to reuse the connection.
      ctx.response().putHeader("Connection", "close");
    }
    answer(ctx, status, message);
  }

  private static void answer(RoutingContext ctx, int status, String message) {
    if (ctx.response().ended()) {
      return;
    }
    ctx.response().setStatusCode(status).putHeader("content-type", "application/json")
        .end(new JsonObject().put("code", status).put("msg", message).encode());
  }
}
