package io.kieworker.chaos;

import io.kieworker.net.FreePorts;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * One worker in a JVM of its own ({@code io.kieworker.cli.Main run}), with its output in a log file.
 * {@link #kill9()} is SIGKILL (no shutdown hook runs), {@link #terminate} is SIGTERM (graceful stop).
 * Thread-safe: the chaos test and its health poller both use it.
 */
public final class WorkerProcess {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  public final String name;
  public final int port;
  public final Path log;
  private final Process process;
  private volatile Set<Integer> lastPartitions = Set.of();
  private volatile long exitedAt;

  private WorkerProcess(String name, int port, Path log, Process process) {
    this.name = name;
    this.port = port;
    this.log = log;
    this.process = process;
    process.onExit().thenRun(() -> exitedAt = System.currentTimeMillis());
  }

  /**
   * A config overlay in {@code dir} with a short Kafka session, so the group gives a killed
   * member's partitions away after {@code sessionMillis} instead of Kafka's default 45 s.
   */
  public static Path shortSessionOverlay(Path dir, int sessionMillis) throws IOException {
    return Files.writeString(dir.resolve("overlay.yaml"), """
        kafka:
          properties:
            session.timeout.ms: "%d"
            heartbeat.interval.ms: "1000"
        """.formatted(sessionMillis));
  }

  /** Starts {@code java -cp <this test's class path> io.kieworker.cli.Main run -c <config>}. */
  public static WorkerProcess start(String name, Map<String, String> env, Path config, Path logDir) {
    int port = FreePorts.pick();
    Path log = logDir.resolve(name + ".log");
    List<String> command = new ArrayList<>(List.of(javaBinary(), "-Xmx256m", "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
        "io.kieworker.cli.Main", "run", "-c", config.toString()));
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(log.toFile());
    builder.environment().putAll(env);
    builder.environment().put("HTTP_PORT", Integer.toString(port));
    builder.environment().put("HTTP_HOST", "127.0.0.1");
    try {
      return new WorkerProcess(name, port, log, builder.start());
    } catch (IOException e) {
      throw new IllegalStateException("could not start worker " + name, e);
    }
  }

  public boolean alive() {
    return process.isAlive();
  }

  /** Wall-clock time the process ended, 0 while it runs. */
  public long exitedAt() {
    return exitedAt;
  }

  public int exitCode() {
    return process.exitValue();
  }

  /** True once /health/ready answers 200 (joined the group, key accepted). */
  public boolean ready() {
    return health(true) != null;
  }

  /** The request partitions it reported last (kept after it dies: what it owned when killed). */
  public Set<Integer> lastPartitions() {
    return lastPartitions;
  }

  /** Asks /health/ready for the assigned partitions; remembers them. */
  public void refreshPartitions() {
    JsonObject health = health(false);
    if (health != null) {
      Set<Integer> owned = new TreeSet<>();
      JsonArray list = health.getJsonArray("partitions", new JsonArray());
      for (int i = 0; i < list.size(); i++) {
        owned.add(list.getInteger(i));
      }
      lastPartitions = Set.copyOf(owned);
    }
  }

  /** SIGKILL; returns the wall-clock time of the kill. */
  public long kill9() {
    long at = System.currentTimeMillis();
    process.destroyForcibly();
    awaitExit(Duration.ofSeconds(10));
    return at;
  }

  /** SIGTERM, then waits for the graceful stop; SIGKILL if it takes longer than {@code atMost}. */
  public boolean terminate(Duration atMost) {
    process.destroy();
    if (awaitExit(atMost)) {
      return true;
    }
    process.destroyForcibly();
    awaitExit(Duration.ofSeconds(10));
    return false;
  }

  public boolean awaitExit(Duration atMost) {
    try {
      return process.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private JsonObject health(boolean onlyReady) {
    if (!process.isAlive()) {
      return null;
    }
    try {
      HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + port + "/health/ready")).timeout(Duration.ofSeconds(2)).build(),
          HttpResponse.BodyHandlers.ofString());
      if (onlyReady && response.statusCode() != 200) {
        return null;
      }
      return new JsonObject(response.body());
    } catch (IOException | RuntimeException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  @Override
  public String toString() {
    return name + "(:" + port + (alive() ? "" : ", exited") + ")";
  }
}
