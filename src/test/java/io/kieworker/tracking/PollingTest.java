package io.kieworker.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import io.kieworker.kafka.OffsetTracker;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PollingTest {

  @Test
  void conditionalQuantileLooksOnlyAtLongerDurations() {
    CompletionTimes times = new CompletionTimes();
    for (int s = 1; s <= 100; s++) {
      times.record("m", s * 1000L);
    }
    assertThat(times.conditionalQuantile("m", 0, 0.7)).isEqualTo(70_000);
    assertThat(times.conditionalQuantile("m", 50_000, 0.5)).isEqualTo(75_000);
    assertThat(times.conditionalQuantile("m", 100_000, 0.5)).isEqualTo(-1);
    assertThat(times.conditionalQuantile("other", 0, 0.5)).isEqualTo(-1);
  }

  @Test
  void firstPollAtTheExpectedDurationUntilSomethingIsLearned() {
    CompletionTimes times = new CompletionTimes();
    PollPlan plan = new PollPlan(times, 0.7, Duration.ofSeconds(1), Duration.ofSeconds(30), false, () -> 0.0);
    assertThat(plan.nextDelay("m", 0, Duration.ofSeconds(20), 0)).isEqualTo(20_000);
    for (int i = 0; i < 10; i++) {
      times.record("m", 40_000);
    }
    assertThat(plan.nextDelay("m", 0, Duration.ofSeconds(20), 0)).isEqualTo(40_000); // learned: not capped
    assertThat(plan.nextDelay("m", 35_000, Duration.ofSeconds(20), 1)).isEqualTo(5_000);
  }

  @Test
  void pastEverySampleItBacksOffExponentially() {
    CompletionTimes times = new CompletionTimes();
    times.record("m", 10_000);
    PollPlan plan = new PollPlan(times, 0.7, Duration.ofSeconds(1), Duration.ofSeconds(30), false, () -> 0.0);
    assertThat(plan.nextDelay("m", 12_000, Duration.ofSeconds(20), 0)).isEqualTo(6_000);
    assertThat(plan.nextDelay("m", 10_500, Duration.ofSeconds(20), 5)).isEqualTo(7_593);
    assertThat(plan.nextDelay("m", 20_000, Duration.ofSeconds(20), 30)).isEqualTo(30_000);
    assertThat(plan.nextDelay("m", 200_000, Duration.ofSeconds(20), 1)).isEqualTo(30_000);
  }

  @Test
  void withCallbacksPollingIsALateSafetyNet() {
    PollPlan plan = new PollPlan(new CompletionTimes(), 0.7, Duration.ofSeconds(1), Duration.ofSeconds(30), true,
        () -> 0.0);
    assertThat(plan.nextDelay("m", 0, Duration.ofSeconds(15), 0)).isEqualTo(60_000);
    assertThat(plan.nextDelay("m", 0, Duration.ofSeconds(40), 0)).isEqualTo(120_000);
  }

  @Test
  void jitterOnlyDelays() {
    PollPlan plan = new PollPlan(new CompletionTimes(), 0.7, Duration.ofSeconds(1), Duration.ofSeconds(30), false,
        () -> 0.999);
    assertThat(plan.nextDelay("m", 0, Duration.ofSeconds(10), 0)).isBetween(10_000L, 11_000L);
  }

  @Test
  void pollBudgetRefillsAtItsRate() {
    PollBudget budget = new PollBudget(10, 0);
    int taken = 0;
    while (budget.tryTake(0)) {
      taken++;
    }
    assertThat(taken).isEqualTo(10);
    assertThat(budget.nextTokenAt(0)).isEqualTo(100);
    assertThat(budget.tryTake(100)).isTrue();
  }

  @Test
  void offsetsCommitTheHighestContiguousFinishedOffset() {
    OffsetTracker offsets = new OffsetTracker();
    for (long o = 10; o < 15; o++) {
      offsets.received(0, o);
    }
    offsets.finished(0, 10);
    offsets.finished(0, 12);
    assertThat(offsets.commitPositions()).isEqualTo(Map.of(0, 11L));
    assertThat(offsets.commitPositions()).isEmpty();
    offsets.finished(0, 11);
    offsets.finished(0, 13);
    offsets.finished(0, 14);
    assertThat(offsets.commitPositions()).isEqualTo(Map.of(0, 15L));
    offsets.received(0, 15);
    assertThat(offsets.release(0)).isNull();
    assertThat(offsets.openCount(0)).isZero();
  }
}
