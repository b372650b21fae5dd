package io.kieworker.sim;

import io.kieworker.model.ModelRegistry;
import io.vertx.core.Vertx;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Everything the handlers share. Threading: {@code random} and {@code limiter} are touched only on
 * the simulator's event loop; faults, counters, tasks and scripts are safe from any thread (the
 * Java API changes them from test threads).
 */
final class SimState {
  final Vertx vertx;
  final SimOptions options;
  final ModelRegistry registry;
  final Set<String> apiKeys;
  final SimFaults faults;
  final SimCounters counters = new SimCounters();
  final SimTasks tasks;
  final Map<SimEndpoint, Queue<ScriptedResponse>> scripts = new ConcurrentHashMap<>();
  /** Uploaded files by file path; an upload to a path already held replaces it, as on Kie.ai. */
  final Map<String, SimFile> files = new ConcurrentHashMap<>();
  final RateLimiter limiter;
  final CallbackSender callbacks;
  final long startMillis = System.currentTimeMillis();
  Random random;
  /** The simulator's own {@code http://host:port}, set once it listens (before any request). */
  volatile String ownBaseUrl;
  /** Bumped by reset so callbacks scheduled before it are abandoned. */
  volatile int epoch;

  SimState(Vertx vertx, SimOptions options, ModelRegistry registry) {
    this.vertx = vertx;
    this.options = options;
    this.registry = registry;
    this.apiKeys = Set.copyOf(options.apiKeys());
    this.faults = options.faults().copy();
    this.tasks = new SimTasks(options.credits());
    this.limiter = new RateLimiter(options.rateLimitCount(), options.rateLimitWindow().toMillis());
    this.callbacks = new CallbackSender(vertx, options, counters);
    this.random = newRandom();
  }

  /** Where result image URLs point: the configured base, else this simulator's {@code /results}. */
  String resultBase() {
    return options.resultBaseUrl() != null ? options.resultBaseUrl() : ownBaseUrl + "/results";
  }

  /** Event loop only. */
  boolean roll(double ratio) {
    return ratio > 0 && random.nextDouble() < ratio;
  }

  ScriptedResponse nextScripted(SimEndpoint endpoint) {
    Queue<ScriptedResponse> q = scripts.get(endpoint);
    return q == null ? null : q.poll();
  }

  void script(SimEndpoint endpoint, Iterable<ScriptedResponse> responses) {
    Queue<ScriptedResponse> q = scripts.computeIfAbsent(endpoint, e -> new ConcurrentLinkedQueue<>());
    responses.forEach(q::add);
  }

  /** Event loop only. */
  void reset() {
    epoch++;
    tasks.clear(options.credits());
    counters.reset();
    scripts.clear();
    files.clear();
    faults.copyFrom(options.faults());
    limiter.clear();
    random = newRandom();
  }

  private Random newRandom() {
    return options.seed() == null ? new Random() : new Random(options.seed());
  }
}
