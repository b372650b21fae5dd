package io.kieworker.sim;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;

/**
 * What every API call passes before its endpoint runs, in Kie.ai's order: Bearer key, maintenance,
 * scripted answers, then random faults (5xx, hang, slow). Event loop only.
 */
final class ApiGate {
  private static final int[] FIVE_XX = {500, 502, 503};

  interface Endpoint {
    void handle(ApiCall call);
  }

  private final SimState state;

  ApiGate(SimState state) {
    this.state = state;
  }

  Handler<RoutingContext> guard(SimEndpoint endpoint, Endpoint handler) {
    return ctx -> pass(new ApiCall(ctx, endpoint, bearer(ctx), state), handler);
  }

  private void pass(ApiCall call, Endpoint handler) {
    long now = System.currentTimeMillis();
    state.tasks.settle(now);
    if (call.apiKey == null || !state.apiKeys.contains(call.apiKey)) {
      call.fail(401, defaultMessage(401));
      return;
    }
    if (state.faults.inMaintenance(now - state.startMillis)) {
      state.counters.maintenance.increment();
      call.fail(455, defaultMessage(455));
      return;
    }
    ScriptedResponse scripted = state.nextScripted(call.endpoint);
    if (scripted != null && !scripted.isNormal()) {
      state.counters.scripted.increment();
      if (scripted.afterCreate() && call.endpoint.creates()) {
        call.override = scripted;
        handler.handle(call);
      } else {
        call.answer(scripted);
      }
      return;
    }
    injectFaults(call, handler);
  }

  private void injectFaults(ApiCall call, Endpoint handler) {
    SimFaults f = state.faults;
    if (state.roll(f.fault5xxRatio())) {
      state.counters.injected5xx.increment();
      int code = FIVE_XX[state.random.nextInt(FIVE_XX.length)];
      // 500 arrives the Kie.ai way (body code); 502/503 as a gateway in front of it would answer.
      call.answer(ScriptedResponse.error(code).withHttpStatus(code == 500 ? httpStatusFor(500) : code));
      return;
    }
    if (state.roll(f.hangRatio())) {
      if (call.endpoint.creates()) {
        call.override = ScriptedResponse.hangUp();
        handler.handle(call);
      } else {
        call.hang();
      }
      return;
    }
    if (state.roll(f.slowRatio())) {
      state.counters.slowed.increment();
      state.vertx.setTimer(Math.max(1, f.slow().toMillis()), id -> handler.handle(call));
      return;
    }
    handler.handle(call);
  }

  private int httpStatusFor(int code) {
    return state.options.httpStatusErrors() ? code : 200;
  }

  private static String bearer(RoutingContext ctx) {
    String h = ctx.request().getHeader("Authorization");
    if (h == null || h.length() < 8 || !h.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")) {
      return null;
    }
    String key = h.substring(7).trim();
    return key.isEmpty() ? null : key;
  }

  static String defaultMessage(int code) {
    return switch (code) {
      case 400 -> "Invalid request parameters";
      case 401 -> "Unauthorized - Authentication credentials are missing or invalid";
      case 402 -> "Insufficient Credits - Account does not have enough credits to perform the operation";
      case 404 -> "Not Found - The requested resource or endpoint does not exist";
      case 408 -> "Upstream gave no result in time";
      case 422 -> "Validation Error - The request parameters failed validation checks";
      case 429 -> "Rate Limited - Request limit has been exceeded for this resource";
      case 433 -> "Sub-key usage limit exceeded";
      case 455 -> "Service Unavailable - System is currently undergoing maintenance";
      case 500 -> "Server Error - An unexpected error occurred while processing the request";
      case 501 -> "Generation Failed - Content generation task failed";
      case 502 -> "Bad Gateway";
      case 503 -> "Service Unavailable";
      case 505 -> "Feature Disabled - The requested feature is currently disabled";
      default -> "Error " + code;
    };
  }
}
