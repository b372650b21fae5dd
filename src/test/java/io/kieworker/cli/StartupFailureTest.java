package io.kieworker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.kieworker.net.FreePorts;
import io.kieworker.testing.KafkaBroker;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kie-worker run} in a JVM of its own, started the way a new user would: every startup failure
 * ends the process with a non-zero code within 60 s, its cause in one clear line.
 */
@ExtendWith(KafkaBroker.class)
class StartupFailureTest {
  private static final Duration EXIT_BOUND = Duration.ofSeconds(60);

  @TempDir Path dir;

  @Test
  void aMissingRequestTopicEndsTheProcessWithItsOwnMessage() throws Exception {
    String topic = KafkaBroker.uniqueName("absent") + ".requests";
    Run run = run(Map.of("KAFKA_BOOTSTRAP_SERVERS", KafkaBroker.bootstrapServers(), "WORKER_REQUEST_TOPIC", topic));

    assertThat(run.exited).as("exited within %s; output:%n%s", EXIT_BOUND, run.output).isTrue();
    assertThat(run.exitCode).as(run.output).isNotZero();
    assertThat(run.causeLines()).as(run.output).singleElement().asString()
        .contains("request topic '" + topic + "' does not exist at " + KafkaBroker.bootstrapServers())
        .doesNotContain("RejectedExecutionException");
  }

  @Test
  void anUnreachableBrokerIsSaidOnceAndEndsTheProcess() throws Exception {
    String closed = "127.0.0.1:" + FreePorts.pick(); // nothing listens there
    Run run = run(Map.of("KAFKA_BOOTSTRAP_SERVERS", closed));

    assertThat(run.exited).as("exited within %s; output:%n%s", EXIT_BOUND, run.output).isTrue();
    assertThat(run.exitCode).as(run.output).isNotZero();
    assertThat(run.causeLines()).as(run.output).singleElement().asString()
        .contains("Kafka is not reachable at " + closed);
    assertThat(run.lines().stream().filter(l -> l.contains("NetworkClient")).count())
        .as("no flood of client warnings:%n%s", run.output).isLessThanOrEqualTo(2);
  }

  @Test
  void aTakenHttpPortIsNamedWithItsSettingAndEndsTheProcess() throws Exception {
    String prefix = KafkaBroker.uniqueName("port-taken");
    KafkaBroker.createTopic(prefix + ".requests", 1, false);
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      int port = taken.getLocalPort();
      Run run = run(Map.of("KAFKA_BOOTSTRAP_SERVERS", KafkaBroker.bootstrapServers(),
          "WORKER_REQUEST_TOPIC", prefix + ".requests", "WORKER_RESULT_TOPIC", prefix + ".results",
          "WORKER_DLQ_TOPIC", prefix + ".dlq", "WORKER_LEDGER_TOPIC", prefix + ".tasks",
          "WORKER_DEMAND_TOPIC", prefix + ".demand", "HTTP_PORT", Integer.toString(port)));

      assertThat(run.exited).as("exited within %s; output:%n%s", EXIT_BOUND, run.output).isTrue();
      assertThat(run.exitCode).as(run.output).isNotZero();
      assertThat(run.causeLines()).as(run.output).singleElement().asString()
          .contains("HTTP_PORT " + port + " is already in use on 127.0.0.1 (java.net.BindException: ")
          .doesNotContain("RejectedExecutionException");
    }
  }

  private Run run(Map<String, String> env) throws IOException, InterruptedException {
    Path log = dir.resolve("run.log");
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1",
        // The production logging configuration, not the tests' logback-test.xml on this class path.
        "-Dlogback.configurationFile=" + StartupFailureTest.class.getResource("/logback.xml"),
        "-cp", System.getProperty("java.class.path"), "io.kieworker.cli.Main", "run"));
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
        .redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().put("KIE_API_KEY", "startup-test-key-0123456789");
    builder.environment().put("KIE_BASE_URL", "http://127.0.0.1:" + FreePorts.pick());
    builder.environment().put("HTTP_HOST", "127.0.0.1");
    builder.environment().put("HTTP_PORT", "0");
    builder.environment().put("LOG_FORMAT", "text");
    builder.environment().putAll(env);
    Process process = builder.start();
    boolean exited = process.waitFor(EXIT_BOUND.toMillis(), TimeUnit.MILLISECONDS);
    if (!exited) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    return new Run(exited, exited ? process.exitValue() : -1, Files.readString(log, StandardCharsets.UTF_8));
  }

  private record Run(boolean exited, int exitCode, String output) {
    List<String> lines() {
      return output.lines().toList();
    }

    /** The lines that say why the worker could not start. */
    List<String> causeLines() {
      return lines().stream().filter(l -> l.startsWith("kie-worker: could not start")).toList();
    }
  }
}
