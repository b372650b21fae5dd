package io.kieworker.tools.bench;

import io.kieworker.sim.KieSimulator;
import io.kieworker.sim.SimOptions;
import io.vertx.core.Vertx;
import java.time.Duration;

/** An in-process simulator on its own Vert.x instance (its event loop is not the worker's). */
final class BenchSim implements AutoCloseable {
  final Vertx vertx = Vertx.vertx();
  final KieSimulator sim;

  BenchSim(SimOptions options) {
    sim = Bench.await(KieSimulator.start(vertx, options.apiKey(Bench.API_KEY).port(0).credits(1e12)),
        Duration.ofSeconds(30), "starting the simulator");
  }

  String baseUrl() {
    return sim.baseUrl();
  }

  @Override
  public void close() {
    try {
      Bench.await(sim.close(), Duration.ofSeconds(20), "stopping the simulator");
    } finally {
      vertx.close(); // not awaited: see WorkerApp.stop()
    }
  }
}
