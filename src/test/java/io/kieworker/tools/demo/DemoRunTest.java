package io.kieworker.tools.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.kieworker.tools.demo.DemoTally.Arrival;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The demo's own run, in-process: its own embedded broker, simulator and worker. */
class DemoRunTest {

  private static DemoOptions fast(int requests, boolean callbacks) {
    return new DemoOptions(requests, callbacks, Duration.ofMillis(100), Duration.ofMillis(400),
        Duration.ofSeconds(90), 11L);
  }

  @Test
  void everyScriptedScenarioEndsOnceAsScriptedWithCallbacks() {
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    DemoRun run = new DemoRun(fast(10, true), new PrintStream(console, true, StandardCharsets.UTF_8));
    DemoRun.Outcome outcome;
    try (run) {
      outcome = run.execute();
    }
    String text = console.toString(StandardCharsets.UTF_8);
    DemoTally tally = outcome.tally();

    assertThat(outcome.ok()).as(text).isTrue();
    assertThat(tally.missing()).isEmpty();
    assertThat(tally.duplicates()).isZero();
    assertThat(tally.unknownIds()).isEmpty();
    assertThat(tally.count("SUCCEEDED")).isEqualTo(7);
    assertThat(tally.count("FAILED")).isEqualTo(1);
    assertThat(tally.count("REJECTED")).isEqualTo(2);
    Arrival failed = tally.arrivals().stream().filter(a -> a.status().equals("FAILED")).findFirst().orElseThrow();
    assertThat(failed.attempts()).as("a 5xx failure is submitted once more").isEqualTo(2);
    assertThat(failed.errorCode()).isEqualTo("500");
    assertThat(text).contains("Summary", "duplicates: 0   missing: 0", "demo-007", "UNPARSEABLE",
        "callbacks: ").contains(DemoRun.REQUESTS + "-");
    assertThat(run.brokerDataDir()).as("the broker's temporary data is deleted").satisfies(dir ->
        assertThat(Files.exists(dir)).isFalse());
  }

  @Test
  @Tag("slow")
  void theDefaultSampleShowsEachTenantsQueueWaitAndTheHighPriorityRequestOvertakingTheBacklog() {
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    DemoRun.Outcome outcome = DemoRun.run(fast(24, true), new PrintStream(console, true, StandardCharsets.UTF_8));
    String text = console.toString(StandardCharsets.UTF_8);

    assertThat(outcome.ok()).as(text).isTrue();
    assertThat(text).containsPattern("(?m)^  acme +20 +18 +\\d+\\.\\ds +\\d+\\.\\ds$")
        .containsPattern("(?m)^  beta +3 +3 +\\d+\\.\\ds +\\d+\\.\\ds$");
    Matcher high = Pattern.compile("high priority: demo-024 was produced after 23 requests and created before (\\d+) of them")
        .matcher(text);
    assertThat(high.find()).as(text).isTrue();
    // 20 valid requests ahead of it; the first window's 10 creates start before it is read, the rest wait.
    int stillQueued = 20 - DemoRun.CREATE_LIMIT;
    assertThat(Integer.parseInt(high.group(1))).as(text).isGreaterThanOrEqualTo(stillQueued - 2);
  }

  @Test
  void pollOnlyModeFinishesToo() {
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    DemoRun.Outcome outcome = DemoRun.run(fast(3, false), new PrintStream(console, true, StandardCharsets.UTF_8));
    String text = console.toString(StandardCharsets.UTF_8);
    assertThat(outcome.ok()).as(text).isTrue();
    assertThat(outcome.tally().count("SUCCEEDED")).isEqualTo(3);
    assertThat(text).contains("poll only").doesNotContain("callbacks: ");
  }

  @Test
  void aTimeoutEndsTheRunWithTheMissingRequestsListed() {
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    DemoOptions slow = new DemoOptions(2, true, Duration.ofMinutes(5), Duration.ofMinutes(5), Duration.ofSeconds(12), 1L);
    DemoRun.Outcome outcome = DemoRun.run(slow, new PrintStream(console, true, StandardCharsets.UTF_8));
    String text = console.toString(StandardCharsets.UTF_8);
    assertThat(outcome.timedOut()).as(text).isTrue();
    assertThat(outcome.ok()).isFalse();
    assertThat(text).contains("TIMEOUT", "missing: demo-001", "missing: demo-002");
  }
}
