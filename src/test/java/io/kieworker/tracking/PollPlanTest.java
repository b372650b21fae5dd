package io.kieworker.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import io.kieworker.kie.TaskState;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PollPlanTest {
  private static final String M = "m";
  private static final Duration EXPECTED = Duration.ofSeconds(15);
  private static final Duration MIN_GAP = Duration.ofSeconds(1);

  private final CompletionTimes times = new CompletionTimes();
  private final PhaseTimes phases = new PhaseTimes();

  private PollPlan plan(ReadPrice price, Duration target, boolean callbacks) {
    return new PollPlan(times, phases, price, MIN_GAP, Duration.ofSeconds(30), target, callbacks, () -> 0.0);
  }

  private PollPlan plan() {
    return plan(new ReadPrice(MIN_GAP.toMillis(), 10, 0), null, false);
  }

  private void learnUniform(int n, long min, long max) {
    for (long d : PlanLoad.uniform(n, min, max, 7)) {
      times.record(M, d);
    }
  }

  @Test
  void coldStartReadsLikeAFixedPollerEveryThirdOfTheExpectedDuration() {
    PollPlan plan = plan();

    assertThat(plan.nextDelay(M, 0, EXPECTED, 0, null, 0)).isEqualTo(5_000);
    assertThat(plan.nextDelay(M, 5_000, EXPECTED, 1, null, 5_000)).isEqualTo(5_000);
    assertThat(plan.nextDelay(M, 25_000, EXPECTED, 5, null, 25_000)).isEqualTo(5_000);
    // Twice as old as expected: the model is slower than the registry says; back off from there.
    assertThat(plan.nextDelay(M, 60_000, EXPECTED, 12, null, 60_000)).isEqualTo(15_000);
    assertThat(plan.nextDelay(M, 600_000, EXPECTED, 40, null, 600_000)).isEqualTo(30_000);
  }

  @Test
  void coldStartLastsUntilSixteenDurationsAreLearnedThenTheFirstReadGoesAtTheShortest() {
    PollPlan plan = plan();
    for (int i = 0; i < PollPlan.MIN_LEARNED - 1; i++) {
      times.record(M, 40_000 + i * 1000);
    }
    assertThat(plan.nextDelay(M, 0, EXPECTED, 0, null, 0)).isEqualTo(5_000);

    times.record(M, 39_000);

    // Reads to spare (price zero): the first read where the first task may be done.
    assertThat(plan.nextDelay(M, 0, EXPECTED, 0, null, 0)).isEqualTo(39_000);
  }

  @Test
  void pastTheLongestLearnedDurationTheNextReadComesSoonThenBacksOff() {
    for (int i = 0; i < PollPlan.MIN_LEARNED; i++) {
      times.record(M, 60_000 + i * 2_000); // longest 90 s
    }
    PollPlan plan = plan();

    // A read aimed at a predicted end came a few ms early: read again after a minimum gap.
    assertThat(plan.nextDelay(M, 90_050, EXPECTED, 2, null, 90_050)).isEqualTo(1_000);
    assertThat(plan.nextDelay(M, 100_000, EXPECTED, 3, null, 100_000)).isEqualTo(5_000);
    assertThat(plan.nextDelay(M, 300_000, EXPECTED, 9, null, 300_000)).isEqualTo(30_000);
  }

  @Test
  void gapsShrinkAsCompletionBecomesLikely() {
    long[] sorted = PlanLoad.uniform(256, 10_000, 90_000, 7);
    java.util.Arrays.sort(sorted);
    double price = 1_000;

    long early = PollPlan.gap(sorted, CompletionTimes.upperBound(sorted, 12_000), 12_000, price, 1_000);
    long middle = PollPlan.gap(sorted, CompletionTimes.upperBound(sorted, 50_000), 50_000, price, 1_000);
    long late = PollPlan.gap(sorted, CompletionTimes.upperBound(sorted, 80_000), 80_000, price, 1_000);

    assertThat(early).isGreaterThan(middle);
    assertThat(middle).isGreaterThan(late);
    // The square-root rule on a uniform spread: g ≈ √(2 · price · remaining span).
    assertThat(early).isBetween(11_000L, 14_500L);
    assertThat(late).isBetween(3_000L, 5_500L);
  }

  @Test
  void aHigherPriceMeansWiderGaps() {
    long[] sorted = PlanLoad.uniform(256, 10_000, 90_000, 7);
    java.util.Arrays.sort(sorted);
    int from = CompletionTimes.upperBound(sorted, 30_000);

    assertThat(PollPlan.gap(sorted, from, 30_000, 4_000, 1_000))
        .isGreaterThan(PollPlan.gap(sorted, from, 30_000, 1_000, 1_000));
  }

  @Test
  void theReadGoesNoLaterThanWhenAllButOnePercentHaveEnded() {
    long[] sorted = new long[100];
    for (int i = 0; i < 100; i++) {
      sorted[i] = 20_000 + i * 10; // all within 1 s
    }
    // Whatever the price, one read covering them is better than two within a minimum gap.
    assertThat(PollPlan.gap(sorted, 0, 10_000, 1e9, 1_000)).isEqualTo(10_980);
    assertThat(PollPlan.gap(sorted, 0, 10_000, 0, 1_000)).isEqualTo(10_980);
  }

  @Test
  void aStateWhoseStartPredictsTheEndIsReadOnceAtThatEnd() {
    learnUniform(256, 10_000, 90_000);
    for (long d : PlanLoad.uniform(64, 10_000, 90_000, 3)) {
      phases.record(M, TaskState.GENERATING, d / 4, d); // generating from a quarter of the duration
    }
    PollPlan plan = plan();
    PollPlan.Seen seen = PollPlan.Seen.next(null, TaskState.GENERATING, 15_000, -1);

    long delay = plan.nextDelay(M, 20_000, EXPECTED, 1, seen, 20_000);

    assertThat(20_000 + delay).isBetween(60_000L, 60_010L);
  }

  @Test
  void aStateWhoseStartSaysNothingLeavesTheLearnedDurationsInCharge() {
    learnUniform(256, 10_000, 90_000);
    Random random = new Random(5);
    for (long d : PlanLoad.uniform(64, 10_000, 90_000, 3)) {
      phases.record(M, TaskState.GENERATING, 1 + random.nextInt((int) d), d);
    }
    PollPlan plan = plan();

    long withState = plan.nextDelay(M, 20_000, EXPECTED, 1,
        PollPlan.Seen.next(null, TaskState.GENERATING, 15_000, -1), 20_000);

    assertThat(withState).isEqualTo(plan.nextDelay(M, 20_000, EXPECTED, 1, null, 20_000));
  }

  @Test
  void theBudgetIsRespectedAndAShortOneMeansFewerReadsNotAQueue() {
    long[] durations = PlanLoad.uniform(600, 10_000, 90_000, 42);
    long[] learned = PlanLoad.uniform(256, 10_000, 90_000, 7);

    // 1.6 tasks/s of ~50 s: 10 reads/s allow ~6 per task, 3.2/s allow 2.
    PlanLoad.Outcome ample = new PlanLoad(10, null, false).learned(learned).run(600, 625, durations);
    PlanLoad.Outcome tight = new PlanLoad(3.2, null, false).learned(learned).run(600, 625, durations);

    assertThat(ample.readsPerSecond()).isLessThanOrEqualTo(10);
    assertThat(tight.readsPerSecond()).isLessThanOrEqualTo(3.2);
    assertThat(tight.readsPerTask()).isLessThan(2.1).isLessThan(ample.readsPerTask() / 2);
    assertThat(tight.p50()).isGreaterThan(ample.p50()); // the price of fewer reads, paid in latency
    assertThat(tight.p99()).isLessThan(120_000); // but no runaway queue behind the budget
  }

  @Test
  void aLooserTargetSpendsFewerReadsAndTheSimulatedPlanKeepsIt() {
    long[] sorted = PlanLoad.uniform(256, 10_000, 90_000, 7);
    java.util.Arrays.sort(sorted);

    double tight = PollPlan.priceFor(sorted, 2_000, 1_000, 30_000);
    double loose = PollPlan.priceFor(sorted, 5_000, 1_000, 30_000);
    PollPlan.Simulated atTight = PollPlan.simulate(sorted, tight, 1_000, 30_000);
    PollPlan.Simulated atLoose = PollPlan.simulate(sorted, loose, 1_000, 30_000);

    assertThat(atTight.meanDelay()).isLessThanOrEqualTo(2_000);
    assertThat(atLoose.meanDelay()).isLessThanOrEqualTo(5_000).isGreaterThan(atTight.meanDelay());
    assertThat(atLoose.readsPerTask()).isLessThan(atTight.readsPerTask());
    // Impossible targets ask for the best the budget allows.
    assertThat(PollPlan.priceFor(sorted, 1, 1_000, 30_000)).isZero();
  }

  @Test
  void withATargetTheLiveScheduleUsesFewerReadsThanWithout() {
    long[] durations = PlanLoad.uniform(400, 10_000, 90_000, 42);
    long[] learned = PlanLoad.uniform(256, 10_000, 90_000, 7);

    PlanLoad.Outcome best = new PlanLoad(10, null, false).learned(learned).run(400, 625, durations);
    PlanLoad.Outcome fiveSeconds =
        new PlanLoad(10, Duration.ofSeconds(5), false).learned(learned).run(400, 625, durations);

    assertThat(fiveSeconds.readsPerTask()).isLessThan(best.readsPerTask());
  }

  @Test
  void readPriceRisesWhileTheBudgetIsShortAndFallsBackToZero() {
    ReadPrice price = new ReadPrice(1_000, 10, 0); // revised every 5 s
    long now = 0;
    for (int i = 0; i < 60; i++) { // 12/s for 5 s: above 90 % of 10/s
      price.read(now += 83);
    }
    assertThat(price.at(5_000)).isEqualTo(250);
    for (int i = 0; i < 40; i++) { // 8/s: within the band, no change
      price.read(now += 125);
    }
    assertThat(price.at(10_001)).isEqualTo(250);
    for (int i = 0; i < 30; i++) { // few reads, but most waited for the budget
      price.heldBack(now += 83);
      price.read(now += 83);
    }
    assertThat(price.at(15_002)).isEqualTo(275);
    // Idle: falls by 5 % a window, then to zero below a quarter of the minimum gap.
    assertThat(price.at(20_002)).isLessThan(275);
    long t = 20_002;
    for (int i = 0; i < 40; i++) {
      price.at(t += 5_000);
    }
    assertThat(price.at(t + 5_000)).isZero();
  }

  @Test
  void withCallbacksPollingIsALateSafetyNet() {
    PollPlan plan = plan(new ReadPrice(1_000, 10, 0), null, true);

    assertThat(plan.nextDelay(M, 0, EXPECTED, 0, null, 0)).isEqualTo(60_000);
    assertThat(plan.nextDelay(M, 0, Duration.ofSeconds(40), 0, null, 0)).isEqualTo(120_000);
  }

  @Test
  void seenKeepsTheLastReadOfTheStateBeforeAndTeachesBoth() {
    PollPlan.Seen seen = PollPlan.Seen.next(null, TaskState.WAITING, 0, -1);
    seen = PollPlan.Seen.next(seen, TaskState.QUEUING, 4_000, -1);
    seen = PollPlan.Seen.next(seen, TaskState.GENERATING, 10_000, -1);
    seen = PollPlan.Seen.next(seen, TaskState.GENERATING, 10_000, -1);

    assertThat(seen.before().state()).isEqualTo(TaskState.QUEUING);
    assertThat(seen.before().before()).isNull();
    seen.teach(phases, M, 40_000);
    assertThat(phases.samples(M, TaskState.GENERATING)).isEqualTo(1);
    assertThat(phases.samples(M, TaskState.QUEUING)).isEqualTo(1);
  }

  @Test
  void aTasksAgeCountsFromKieAisCreationTimeOnceARecordToldIt() {
    assertThat(PollPlan.elapsed(10_000, 1_000, null)).isEqualTo(9_000);
    // Created 40 ms after we sent the create: that is where the learned durations start.
    assertThat(PollPlan.elapsed(10_000, 1_000, PollPlan.Seen.next(null, TaskState.QUEUING, 500, 1_040)))
        .isEqualTo(8_960);
    // A clock (or a value) more than a minute off is not believed.
    assertThat(PollPlan.elapsed(10_000, 1_000, PollPlan.Seen.next(null, TaskState.QUEUING, 500, 900_000)))
        .isEqualTo(9_000);
  }

  @Test
  void phaseTimesIgnoreTimestampsThatCannotBeTrue() {
    phases.record(M, TaskState.GENERATING, -5, 10_000);
    phases.record(M, TaskState.GENERATING, 0, 10_000);
    phases.record(M, TaskState.GENERATING, 20_000, 10_000); // entered after it ended
    phases.record(M, TaskState.GENERATING, 1_000, 200_000_000L); // more than a day
    phases.record(M, TaskState.SUCCESS, 1_000, 10_000);
    phases.record(null, TaskState.QUEUING, 1_000, 10_000);

    assertThat(phases.samples(M, TaskState.GENERATING)).isZero();
    assertThat(phases.samples(M, TaskState.SUCCESS)).isZero();
    assertThat(phases.predict(M, TaskState.GENERATING, 1_000)).isNull();
  }
}
