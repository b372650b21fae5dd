package io.kieworker.sim;

import io.kieworker.model.ModelSpec;
import io.kieworker.model.Violation;
import io.kieworker.sim.SimDurations.LatencyRange;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Market and legacy task endpoints, credits and download links. Event loop only. */
final class TaskApi {
  private static final Pattern DIRECTIVE = Pattern.compile("\\[sim:([a-z-]+)(?:=([^\\]]*))?]");
  private static final double LEGACY_DEFAULT_CREDITS = 4;
  private static final long DOWNLOAD_LINK_TTL_MS = 20 * 60 * 1000;

  private final SimState state;

  TaskApi(SimState state) {
    this.state = state;
  }

  void createTask(ApiCall call) {
    state.counters.createRequests.increment();
    JsonObject body = call.jsonBody();
    if (body == null) {
      call.fail(400, "Request body must be a JSON object");
      return;
    }
    if (rateLimited(call)) {
      return;
    }
    String model = body.getValue("model") instanceof String s ? s.trim() : "";
    if (model.isEmpty()) {
      call.fail(422, "model is required");
      return;
    }
    Optional<ModelSpec> spec = state.registry.find(model);
    if (spec.isEmpty()) {
      call.fail(422, "The model '" + model + "' is not supported (known: "
          + String.join(", ", state.registry.modelIds().stream().sorted().toList()) + ")");
      return;
    }
    if (!(body.getValue("input") instanceof JsonObject input)) {
      call.fail(422, "input is required and must be an object");
      return;
    }
    String callBackUrl = callBackUrl(call, body);
    if (callBackUrl == null && body.getValue("callBackUrl") != null) {
      return;
    }
    List<Violation> violations = state.registry.validateMarket(model, input);
    if (!violations.isEmpty()) {
      call.fail(422, describe(violations));
      return;
    }
    String prompt = input.getValue("prompt") instanceof String p ? p : "";
    String ext = extension(input.getString("output_format", "png"));
    create(call, model, body.encode(), callBackUrl, prompt, spec.get().credits(), ext, false);
  }

  void legacyGenerate(ApiCall call) {
    state.counters.legacyCreateRequests.increment();
    JsonObject body = call.jsonBody();
    if (body == null) {
      call.fail(400, "Request body must be a JSON object");
      return;
    }
    if (rateLimited(call)) {
      return;
    }
    List<Violation> violations = state.registry.validateLegacy(body);
    if (!violations.isEmpty()) {
      call.fail(422, describe(violations));
      return;
    }
    String callBackUrl = callBackUrl(call, body);
    if (callBackUrl == null && body.getValue("callBackUrl") != null) {
      return;
    }
    String model = body.getValue("model") instanceof String m && !m.isBlank() ? m : "google/nano-banana";
    double credits = state.registry.find(model)
        .or(() -> state.registry.find(model.replaceFirst("^google/", "")))
        .map(ModelSpec::credits)
        .orElse(LEGACY_DEFAULT_CREDITS);
    String prompt = body.getValue("prompt") instanceof String p ? p : "";
    create(call, model, body.encode(), callBackUrl, prompt, credits, "png", true);
  }

  void recordInfo(ApiCall call) {
    state.counters.recordInfoPolls.increment();
    withTask(call, task -> call.ok(task.marketRecord(System.currentTimeMillis())));
  }

  void legacyRecordInfo(ApiCall call) {
    state.counters.legacyRecordInfoPolls.increment();
    withTask(call, task -> {
      JsonObject record = task.legacyRecord(System.currentTimeMillis());
      if (state.options.legacyWrapped()) {
        call.ok(record);
      } else {
        call.raw(record);
      }
    });
  }

  void credit(ApiCall call) {
    state.counters.creditChecks.increment();
    call.ok(SimTask.creditsNumber(state.tasks.balance()));
  }

  void downloadUrl(ApiCall call) {
    state.counters.downloadUrls.increment();
    JsonObject body = call.jsonBody();
    String url = body != null && body.getValue("url") instanceof String u ? u.trim() : "";
    if (url.isEmpty()) {
      call.fail(422, "url is required");
      return;
    }
    String token = UUID.randomUUID().toString().replace("-", "");
    long expires = System.currentTimeMillis() + DOWNLOAD_LINK_TTL_MS;
    call.ok(url + (url.contains("?") ? "&" : "?") + "sim-token=" + token + "&expires=" + expires);
  }

  private void withTask(ApiCall call, java.util.function.Consumer<SimTask> answer) {
    String taskId = call.ctx.request().getParam("taskId");
    if (taskId == null || taskId.isBlank()) {
      call.fail(422, "taskId is required");
      return;
    }
    state.tasks.find(taskId.trim()).ifPresentOrElse(answer,
        () -> call.fail(404, "Task not found: " + taskId.trim()));
  }

  private boolean rateLimited(ApiCall call) {
    long retryAfterMs = state.limiter.tryAcquire(call.apiKey, System.currentTimeMillis());
    if (retryAfterMs > 0) {
      call.rateLimited(retryAfterMs);
      return true;
    }
    return false;
  }

  /** The valid callBackUrl, or null; when the field is present but bad, the call is answered 422. */
  private static String callBackUrl(ApiCall call, JsonObject body) {
    Object v = body.getValue("callBackUrl");
    if (v == null || (v instanceof String s && s.isBlank())) {
      return null;
    }
    if (v instanceof String s && isHttpUrl(s)) {
      return s;
    }
    call.fail(422, "callBackUrl must be an http(s) URL");
    return null;
  }

  static boolean isHttpUrl(String s) {
    try {
      URI uri = URI.create(s.trim());
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      return (scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private void create(ApiCall call, String model, String param, String callBackUrl, String prompt,
      double credits, String ext, boolean legacy) {
    long now = System.currentTimeMillis();
    Directives d = Directives.of(prompt);
    String taskId = UUID.randomUUID().toString().replace("-", "");
    String failCode = d.failCode != null ? d.failCode
        : state.roll(state.faults.failRatio()) ? state.faults.failCode() : null;
    long latency = d.latencyMs >= 0 ? d.latencyMs : sampleLatency(model);
    SimTask task = new SimTask(taskId, model, param, callBackUrl,
        prompt.length() > 200 ? prompt.substring(0, 200) : prompt, now, latency, failCode,
        failCode == null ? null : SimFaults.DEFAULT_FAIL_MSG, credits,
        d.noResult ? null : state.resultBase() + "/" + taskId + "." + ext, legacy);
    if (!state.tasks.tryAdd(task, now)) {
      call.fail(402, ApiGate.defaultMessage(402));
      return;
    }
    state.counters.accepted(model);
    if (callBackUrl != null) {
      scheduleCallback(task, d.noCallback || state.roll(state.faults.dropCallbackRatio()));
    }
    call.ok(new JsonObject().put("taskId", taskId));
  }

  private void scheduleCallback(SimTask task, boolean drop) {
    if (drop) {
      state.counters.callbacksDropped.increment();
      return;
    }
    int epoch = state.epoch;
    state.vertx.setTimer(Math.max(1, task.latencyMs()), id -> {
      if (state.epoch == epoch) {
        state.callbacks.deliver(task, callbackBody(task), () -> state.epoch == epoch);
      }
    });
  }

  private static JsonObject callbackBody(SimTask task) {
    long now = Math.max(System.currentTimeMillis(), task.completeTime());
    JsonObject data = task.legacy() ? task.legacyRecord(now) : task.marketRecord(now);
    return task.willFail()
        ? new JsonObject().put("code", 501).put("msg", task.failMsg()).put("data", data)
        : new JsonObject().put("code", 200).put("msg", "success").put("data", data);
  }

  private long sampleLatency(String model) {
    LatencyRange r = state.options.latencyOf(model);
    long min = r.min().toMillis();
    long span = r.max().toMillis() - min;
    return span <= 0 ? min : min + (long) (state.random.nextDouble() * (span + 1));
  }

  private static String extension(String outputFormat) {
    return switch (outputFormat.toLowerCase(Locale.ROOT)) {
      case "jpeg" -> "jpeg";
      case "jpg" -> "jpg";
      case "webp" -> "webp";
      default -> "png";
    };
  }

  private static String describe(List<Violation> violations) {
    return "Validation failed: " + violations.stream().map(Violation::toString).collect(Collectors.joining("; "));
  }

  /**
   * Test/demo controls hidden in a prompt: [sim:fail=500], [sim:latency=250ms], [sim:no-callback],
   * [sim:no-result] (success without any result URL).
   */
  record Directives(String failCode, long latencyMs, boolean noCallback, boolean noResult) {
    static Directives of(String prompt) {
      if (prompt.indexOf("[sim:") < 0) {
        return new Directives(null, -1, false, false);
      }
      String fail = null;
      long latency = -1;
      boolean noCallback = false;
      boolean noResult = false;
      Matcher m = DIRECTIVE.matcher(prompt);
      while (m.find()) {
        String value = m.group(2) == null ? "" : m.group(2).trim();
        switch (m.group(1)) {
          case "fail" -> fail = value.isEmpty() ? "500" : value;
          case "latency" -> latency = parseLatency(value);
          case "no-callback" -> noCallback = true;
          case "no-result" -> noResult = true;
          default -> { }
        }
      }
      return new Directives(fail, latency, noCallback, noResult);
    }

    private static long parseLatency(String value) {
      try {
        return SimDurations.parse(value).toMillis();
      } catch (IllegalArgumentException e) {
        return -1;
      }
    }
  }

}
