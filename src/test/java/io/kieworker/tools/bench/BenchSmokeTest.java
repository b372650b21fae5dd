package io.kieworker.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.kieworker.cli.Main;
import io.kieworker.logging.QuietLogs;
import io.kieworker.tools.cli.ToolsMain;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

class BenchSmokeTest {

  @Test
  @Tag("slow")
  @Timeout(300)
  void everyScenarioAtATinySizePrintsItsFiguresAsTheLastLine() {
    QuietLogs.apply();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    BenchOptions tiny = new BenchOptions("all", 150, 0.01, 20, Duration.ofSeconds(1), Duration.ofSeconds(2), "all", 20,
        "256m", Duration.ofMinutes(2), out, List.of(), 20);

    BenchRun.run(tiny).print(out);

    List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
    JsonObject figures = new JsonObject(lines.get(lines.size() - 1));
    assertThat(figures.fieldNames()).contains(
        "requests_per_s", "kafka_ceiling_per_s", "ratio",
        "heap_mb", "timer_lateness_p99_ms", "restore_s",
        "polls_per_task", "callback_polls_per_task", "baseline_polls_per_task",
        "poll_only_p50_ratio", "poll_only_p99_ratio", "poll_only_reads_ratio", "short_budget_polls_per_task",
        "poll_latency_p50_ms", "poll_latency_p99_ms", "callback_latency_p50_ms", "callback_latency_p99_ms",
        "create_rate_ratio", "rate_limited_share", "create_rate_ratio_3x", "rate_limited_share_3x",
        "create_rate_ratio_one_partition", "rate_limited_share_one_partition_3x", "create_rate_ratio_mixed_3x",
        "owner_callback_latency_p50_ms", "forwarded_callback_latency_p50_ms", "forwarding_extra_p50_ms",
        "small_tenant_wait_p50_s", "small_tenant_wait_p99_s", "fifo_wait_p50_s", "fifo_wait_p99_s");
    assertThat(figures.getString("scenario")).isEqualTo("all");
    assertThat(figures.getDouble("requests_per_s")).isPositive();
    // All 150 long tasks pend; a few of the 20 short probes may still be finishing when it is read.
    assertThat(figures.getInteger("pending_tasks")).isBetween(150, 170);
    assertThat(figures.getInteger("duplicates")).isZero();
    // Every callback of the forwarding scenario confirmed by one read, none lost on the way.
    assertThat(figures.getDouble("forwarding_polls_per_task")).isEqualTo(1.0);
    assertThat(figures.getInteger("forwarding_duplicates")).isZero();
  }

  @Test
  void anUnknownScenarioIsRefusedWithExitStatusTwo() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream previous = System.err;
    int status;
    try {
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      status = Main.configure(new CommandLine(new ToolsMain())).execute("bench", "--scenario", "nope");
    } finally {
      System.setErr(previous);
    }
    assertThat(status).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown scenario 'nope'");
  }

  @Test
  void theReportEndsWithOneJsonObjectAndMarksMissedTargets() {
    BenchReport report = new BenchReport("polling");
    report.atMost("polling", "polls_per_task", 1.7, 1.5);
    report.atLeast("polling", "ratio", 0.3, 0.25);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    report.print(new PrintStream(bytes, true, StandardCharsets.UTF_8));

    List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
    assertThat(new JsonObject(lines.get(lines.size() - 1)).getDouble("polls_per_task")).isEqualTo(1.7);
    assertThat(lines).anyMatch(l -> l.contains("polls_per_task") && l.endsWith("MISS"));
    assertThat(lines).anyMatch(l -> l.contains("ratio") && l.endsWith("ok"));
  }
}
