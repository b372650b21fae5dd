package io.kieworker.sim;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * One API request on its way through the simulator, and the only place answers are written.
 * An {@code override} (a scripted or injected after-create answer) replaces whatever the endpoint
 * would have answered.
 */
final class ApiCall {
  final RoutingContext ctx;
  final SimEndpoint endpoint;
  final String apiKey;
  private final SimState state;
  ScriptedResponse override;

  ApiCall(RoutingContext ctx, SimEndpoint endpoint, String apiKey, SimState state) {
    this.ctx = ctx;
    this.endpoint = endpoint;
    this.apiKey = apiKey;
    this.state = state;
  }

  /** The request body as a JSON object, or null when it is missing or not an object. */
  JsonObject jsonBody() {
    try {
      return ctx.body().length() == 0 ? null : ctx.body().asJsonObject();
    } catch (DecodeException | ClassCastException e) {
      return null;
    }
  }

  void ok(Object data) {
    JsonObject body = endpoint.isUpload()
        ? new JsonObject().put("success", true).put("code", 200).put("msg", "File uploaded successfully")
        : new JsonObject().put("code", 200).put("msg", "success");
    answer(200, body.put("data", data));
  }

  /** A body written as is (the flat legacy record). */
  void raw(JsonObject body) {
    answer(200, body);
  }

  void fail(int code, String msg) {
    fail(code, msg, null);
  }

  void rateLimited(long retryAfterMs) {
    if (override != null) {
      answerOverride();
      return;
    }
    state.counters.rateLimited.increment();
    ctx.response().putHeader("Retry-After", Long.toString(Math.max(1, (retryAfterMs + 999) / 1000)));
    fail(429, "Rate limited: at most " + state.options.rateLimitCount() + " new tasks per "
        + SimDurations.format(state.options.rateLimitWindow()) + "; retry later", 429);
  }

  void hang() {
    state.counters.hangs.increment();
  }

  /** Answers a scripted entry; a normal entry is not passed here. */
  void answer(ScriptedResponse s) {
    if (s.hang()) {
      hang();
    } else if (s.code() == 429) {
      ctx.response().putHeader("Retry-After", s.retryAfter() == null ? "1" : s.retryAfter());
      fail(s.code(), msgOr(s), s.httpStatus() == null ? 429 : s.httpStatus());
    } else {
      fail(s.code(), msgOr(s), s.httpStatus());
    }
  }

  private void fail(int code, String msg, Integer httpStatus) {
    if (override != null) {
      answerOverride();
      return;
    }
    state.counters.rejected(code);
    JsonObject body = new JsonObject();
    if (endpoint.isUpload()) {
      body.put("success", false);
    }
    body.put("code", code).put("msg", msg).put("data", null);
    int status = httpStatus != null ? httpStatus : state.options.httpStatusErrors() ? code : 200;
    write(status, body);
  }

  private void answer(int status, JsonObject body) {
    if (override != null) {
      answerOverride();
    } else {
      write(status, body);
    }
  }

  private void answerOverride() {
    ScriptedResponse s = override;
    override = null;
    answer(s);
  }

  private void write(int status, JsonObject body) {
    if (!ctx.response().ended() && !ctx.response().closed()) {
      ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
    }
  }

  private static String msgOr(ScriptedResponse s) {
    return s.msg() != null ? s.msg() : ApiGate.defaultMessage(s.code());
  }
}
