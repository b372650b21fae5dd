package io.kieworker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code config} and {@code run --help} are made from the same declarations as the binding. */
class ConfigCommandTest {
  @TempDir Path dir;

  private static String[] run(String... args) {
    PrintStream original = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code;
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      code = Main.configure(new CommandLine(new Main())).execute(args);
    } finally {
      System.setOut(original);
    }
    return new String[] {String.valueOf(code), out.toString(StandardCharsets.UTF_8)};
  }

  @Test
  void configListsEverySettingWithItsSourceAndMasksSecrets() throws Exception {
    Path file = Files.writeString(dir.resolve("app.yaml"),
        "worker:\n  deadline: 7m\n  callbackSecret: s3cr3t-value\nkie:\n  apiKey: the-api-key-123\n");

    String[] result = run("config", "--config", file.toString());

    assertThat(result[1]).contains("WORKER_DEADLINE", "7m", "WORKER_DEDUPE_WINDOW", "24h", "default")
        .contains("WORKER_CALLBACK_SECRET", "****").doesNotContain("s3cr3t-value", "the-api-key-123");
    if (System.getenv("WORKER_DEADLINE") == null) {
      assertThat(result[1]).containsPattern("WORKER_DEADLINE +7m +file");
    }
  }

  @Test
  void configReportsTheProblemsRunWouldStopOn() throws Exception {
    Path file = Files.writeString(dir.resolve("app.yaml"), "kie:\n  apiKey: k\nhttp:\n  port: 70000\n");

    String[] result = run("config", "--config", file.toString());

    assertThat(result[0]).isEqualTo("2");
    assertThat(result[1]).contains("invalid configuration", "http.port must be 0–65535, got \"70000\"");
  }

  @Test
  void runHelpListsTheSettings() {
    String[] result = run("run", "--help");

    assertThat(result[1]).contains("WORKER_DEADLINE", "15m", "KIE_CALLBACK_BASE_URL", "WORKER_CALLBACK_TRUST");
  }

  @Test
  void durationOptionsTakeTheSettingsSyntax() {
    assertThat(DurationConverter.INSTANCE.convert("60s")).hasSeconds(60);
    assertThat(DurationConverter.INSTANCE.convert("250ms")).hasMillis(250);
  }
}
