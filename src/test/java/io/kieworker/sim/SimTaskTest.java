package io.kieworker.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kieworker.sim.SimTask.State;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SimTaskTest {
  private static SimTask task(String failCode) {
    return new SimTask("t", "m", "{}", null, "p", 1_000, 1_000, failCode, failCode == null ? null : "boom", 4,
        "https://r/t.png", false);
  }

  @Test
  void stateFollowsTheLatencyShares() {
    SimTask t = task(null);
    assertThat(t.state(1_000)).isEqualTo(State.WAITING);
    assertThat(t.state(1_099)).isEqualTo(State.WAITING);
    assertThat(t.state(1_100)).isEqualTo(State.QUEUING);
    assertThat(t.state(1_249)).isEqualTo(State.QUEUING);
    assertThat(t.state(1_250)).isEqualTo(State.GENERATING);
    assertThat(t.state(1_999)).isEqualTo(State.GENERATING);
    assertThat(t.state(2_000)).isEqualTo(State.SUCCESS);
    assertThat(task("500").state(2_000)).isEqualTo(State.FAIL);
  }

  @Test
  void recordFieldsAppearOnlyWhenTerminal() {
    SimTask t = task(null);
    assertThat(t.marketRecord(1_500).getValue("completeTime")).isNull();
    assertThat(t.marketRecord(1_500).getLong("updateTime")).isEqualTo(1_250);
    assertThat(t.marketRecord(2_500).getLong("completeTime")).isEqualTo(2_000);
    assertThat(t.marketRecord(2_500).getLong("creditsConsumed")).isEqualTo(4);
    assertThat(t.legacyRecord(1_500).getInteger("successFlag")).isZero();
    assertThat(t.legacyRecord(1_500).containsKey("completeTime")).isFalse();
  }

  @Test
  void rateLimiterSlidesAndReportsTheWait() {
    RateLimiter limiter = new RateLimiter(2, 10_000);
    assertThat(limiter.tryAcquire("k", 0)).isZero();
    assertThat(limiter.tryAcquire("k", 4_000)).isZero();
    assertThat(limiter.tryAcquire("k", 5_000)).isEqualTo(5_000);
    assertThat(limiter.tryAcquire("other", 5_000)).isZero();
    assertThat(limiter.tryAcquire("k", 10_000)).isZero();
  }

  @Test
  void directivesAndDurationsParse() {
    TaskApi.Directives d = TaskApi.Directives.of("x [sim:fail=422] [sim:latency=250ms] [sim:no-callback]");
    assertThat(d.failCode()).isEqualTo("422");
    assertThat(d.latencyMs()).isEqualTo(250);
    assertThat(d.noCallback()).isTrue();
    assertThat(TaskApi.Directives.of("plain").latencyMs()).isEqualTo(-1);
    assertThat(SimDurations.parseRange("2s..5s").max()).isEqualTo(Duration.ofSeconds(5));
    assertThatThrownBy(() -> SimDurations.parse("soon")).isInstanceOf(IllegalArgumentException.class);
    assertThat(new SimOptions().latency("nano-banana-pro=3s..6s").latencyOf("nano-banana-pro").min())
        .isEqualTo(Duration.ofSeconds(3));
  }

  @Test
  void optionsNeverPrintSecrets() {
    String text = new SimOptions().apiKey("super-secret").webhookHmacKey("hmac-secret").toString();
    assertThat(text).doesNotContain("super-secret").doesNotContain("hmac-secret");
  }
}
