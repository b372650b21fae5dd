package io.kieworker.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import io.kieworker.kafka.OffsetTracker;
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
