package io.kieworker.ops;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.OutputStreamAppender;
import io.kieworker.config.ConfigLoader;
import io.kieworker.config.WorkerConfig;
import io.kieworker.logging.JsonLineEncoder;
import io.kieworker.logging.RequestLog;
import io.kieworker.sim.SimOptions;
import io.kieworker.testing.KafkaBroker;
import io.kieworker.testing.WorkerHarness;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

@ExtendWith(KafkaBroker.class)
class JsonLogTest {

  @Test
  void logbackXmlWithLogFormatJsonWritesOneObjectPerLineWithTheRequestFields() throws Exception {
    String marker = "marker-" + System.nanoTime();
    String json = captureStdout("json", ctx -> RequestLog.info(ctx.getLogger("io.kieworker.worker.Worker"),
        "req-1", "task-9", 3, 42L, "Result {} for {} " + marker, "SUCCEEDED", "req-1"));
    JsonObject line = new JsonObject(linesWith(json, marker).get(0));
    assertThat(line.getString("level")).isEqualTo("INFO");
    assertThat(line.getString("loggerName")).isEqualTo("io.kieworker.worker.Worker");
    assertThat(line.getString("formattedMessage")).isEqualTo("Result SUCCEEDED for req-1 " + marker);
    JsonObject mdc = line.getJsonObject("mdc");
    assertThat(mdc.getMap()).containsEntry("requestId", "req-1").containsEntry("taskId", "task-9")
        .containsEntry("partition", "3").containsEntry("offset", "42");
    assertThat(MDC.get("requestId")).as("MDC cleared after the line").isNull();

    String text = captureStdout("text", ctx -> ctx.getLogger("x").info("plain {}", marker));
    assertThat(linesWith(text, marker).get(0)).contains("INFO").doesNotStartWith("{");
  }

  @Test
  void aWorkerRunLogsJsonLinesWithRequestIdsAndNeverTheApiKey() {
    ch.qos.logback.classic.Logger root =
        (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    OutputStreamAppender<ch.qos.logback.classic.spi.ILoggingEvent> appender = new OutputStreamAppender<>();
    JsonLineEncoder encoder = new JsonLineEncoder();
    encoder.setContext(root.getLoggerContext());
    encoder.start();
    appender.setContext(root.getLoggerContext());
    appender.setEncoder(encoder);
    appender.setOutputStream(sink);
    appender.start();
    root.addAppender(appender);
    try (WorkerHarness h = new WorkerHarness(1, new SimOptions().latency("*", Duration.ofMillis(100)).seed(3L))) {
      Map<String, String> env = h.env(Map.of());
      WorkerConfig config = ConfigLoader.load(null, env);
      LoggerFactory.getLogger(io.kieworker.cli.RunCommand.class).info("Starting with {}", config);
      h.startWorker(Map.of());
      h.send("a", WorkerHarness.request("log-ok", "google/nano-banana", ""));
      h.send("b", "{\"requestId\":\"log-bad\",\"model\":\"nano-banana-pro\",\"input\":{\"prompt\":\"\"}}");
      h.awaitResults(2, Duration.ofSeconds(60));
    } finally {
      root.detachAppender(appender);
      appender.stop();
    }
    String all = sink.toString(StandardCharsets.UTF_8);
    List<JsonObject> lines = Arrays.stream(all.split("\n")).filter(l -> !l.isBlank()).map(JsonObject::new).toList();
    assertThat(all).doesNotContain(WorkerHarness.API_KEY);
    assertThat(lines).anySatisfy(l -> {
      assertThat(l.getJsonObject("mdc").getString("requestId")).isEqualTo("log-ok");
      assertThat(l.getJsonObject("mdc").getString("taskId")).isNotBlank();
      assertThat(l.getString("formattedMessage")).startsWith("Result SUCCEEDED");
    });
    assertThat(lines).anySatisfy(l -> {
      assertThat(l.getJsonObject("mdc").getString("requestId")).isEqualTo("log-bad");
      assertThat(l.getJsonObject("mdc").getString("offset")).isNotBlank();
    });
    assertThat(lines).anySatisfy(l -> assertThat(l.getString("formattedMessage")).startsWith("Starting with"));
  }

  private interface LogAction {
    void run(LoggerContext ctx);
  }

  /** Configures a private logger context from the bundled logback.xml with LOG_FORMAT set, and captures stdout. */
  private static String captureStdout(String format, LogAction action) throws Exception {
    LoggerContext ctx = new LoggerContext();
    ctx.putProperty("LOG_FORMAT", format);
    ctx.setMDCAdapter(MDC.getMDCAdapter());
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(ctx);
    configurator.doConfigure(JsonLogTest.class.getResource("/logback.xml"));
    PrintStream original = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      action.run(ctx);
    } finally {
      System.setOut(original);
      ctx.stop();
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static List<String> linesWith(String output, String marker) {
    List<String> lines = Arrays.stream(output.split("\n")).filter(l -> l.contains(marker)).toList();
    assertThat(lines).as(output).hasSize(1);
    return lines;
  }
}
