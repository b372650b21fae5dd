package io.kieworker.sim;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The unauthenticated {@code /sim/*} surface for tests, demos and benchmarks. Event loop only. */
final class AdminApi {
  private final SimState state;

  AdminApi(SimState state) {
    this.state = state;
  }

  void mount(Router router) {
    router.get("/sim/stats").handler(ctx -> json(ctx, 200, stats(state)));
    router.get("/sim/tasks").handler(this::tasks);
    router.get("/sim/tasks/:id").handler(this::task);
    router.get("/sim/faults").handler(ctx -> json(ctx, 200, state.faults.toJson()));
    router.post("/sim/faults").handler(ctx -> withBody(ctx, b -> json(ctx, 200, state.faults.apply(b).toJson())));
    router.post("/sim/script").handler(this::script);
    router.post("/sim/reset").handler(ctx -> {
      state.reset();
      json(ctx, 200, new JsonObject().put("reset", true));
    });
    router.post("/sim/credits").handler(ctx -> withBody(ctx, b -> {
      state.tasks.balance(b.getNumber("credits").doubleValue());
      json(ctx, 200, new JsonObject().put("credits", SimTask.creditsNumber(state.tasks.balance())));
    }));
  }

  static JsonObject stats(SimState state) {
    return state.counters.toJson()
        .put("tasksTotal", state.tasks.size())
        .put("tasksPending", state.tasks.pending())
        .put("tasksSucceeded", state.tasks.succeeded())
        .put("tasksFailed", state.tasks.failed())
        .put("creditsRemaining", SimTask.creditsNumber(state.tasks.balance()));
  }

  private void tasks(RoutingContext ctx) {
    long now = System.currentTimeMillis();
    String stateFilter = ctx.request().getParam("state");
    int limit = intParam(ctx, "limit", Integer.MAX_VALUE);
    List<SimTask> all = state.tasks.snapshot();
    all.sort(Comparator.comparingLong(SimTask::createTime));
    JsonArray out = new JsonArray();
    for (SimTask t : all) {
      if (out.size() >= limit) {
        break;
      }
      if (stateFilter == null || t.state(now).wire().equals(stateFilter)) {
        out.add(t.summary(now));
      }
    }
    json(ctx, 200, new JsonObject().put("count", out.size()).put("tasks", out));
  }

  private void task(RoutingContext ctx) {
    long now = System.currentTimeMillis();
    state.tasks.find(ctx.pathParam("id")).ifPresentOrElse(
        t -> json(ctx, 200, t.summary(now)
            .put("latencyMs", t.latencyMs())
            .put("record", t.marketRecord(now))
            .put("legacyRecord", t.legacyRecord(now))),
        () -> json(ctx, 404, new JsonObject().put("error", "no such task")));
  }

  private void script(RoutingContext ctx) {
    withBody(ctx, b -> {
      SimEndpoint endpoint = SimEndpoint.fromWire(b.getString("endpoint"));
      List<ScriptedResponse> responses = new ArrayList<>();
      JsonArray array = b.getJsonArray("responses", new JsonArray());
      for (int i = 0; i < array.size(); i++) {
        Object entry = array.getValue(i);
        responses.add(entry instanceof Number n ? ScriptedResponse.error(n.intValue())
            : ScriptedResponse.fromJson((JsonObject) entry));
      }
      state.script(endpoint, responses);
      json(ctx, 200, new JsonObject().put("endpoint", endpoint.wireName())
          .put("queued", state.scripts.get(endpoint).size()));
    });
  }

  private static void withBody(RoutingContext ctx, java.util.function.Consumer<JsonObject> action) {
    try {
      JsonObject body = ctx.body().length() == 0 ? new JsonObject() : ctx.body().asJsonObject();
      action.accept(body);
    } catch (DecodeException | ClassCastException | IllegalArgumentException | NullPointerException e) {
      json(ctx, 400, new JsonObject().put("error", String.valueOf(e.getMessage())));
    }
  }

  private static int intParam(RoutingContext ctx, String name, int dflt) {
    try {
      String v = ctx.request().getParam(name);
      return v == null ? dflt : Integer.parseInt(v);
    } catch (NumberFormatException e) {
      return dflt;
    }
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
  }
}
