package io.kieworker.submit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CreateRateLimiterTest {

  @Test
  void allowsTheLimitPerWindowThenWaitsForTheOldestToLeave() {
    CreateRateLimiter limiter = new CreateRateLimiter(20, 10_000);
    for (int i = 0; i < 20; i++) {
      assertThat(limiter.tryAcquire(1_000 + i)).isTrue();
    }
    assertThat(limiter.tryAcquire(1_100)).isFalse();
    long next = limiter.nextFreeAt(1_100);
    assertThat(next).isEqualTo(1_000 + 10_200); // window + 2 % margin
    assertThat(limiter.tryAcquire(next)).isTrue();
  }

  @Test
  void slotsTakenInTheSameMillisecondAreKeptMovedAndReleasedOneByOne() {
    CreateRateLimiter limiter = new CreateRateLimiter(100_000, 1_000);
    for (int i = 0; i < 100_000; i++) {
      assertThat(limiter.tryAcquire(5_000 + i / 1_000)).isTrue(); // 1,000 slots per millisecond
    }
    assertThat(limiter.tryAcquire(5_100)).isFalse();
    long full = limiter.nextFreeAt(5_100);
    assertThat(full).isEqualTo(5_000 + 1_020); // the earliest slot leaves after window + 2 % margin
    for (int i = 0; i < 1_000; i++) {
      limiter.sent(5_000, 5_050); // every slot of the first millisecond moved: the earliest is now 5,001
    }
    assertThat(limiter.nextFreeAt(5_100)).isEqualTo(5_001 + 1_020);
    limiter.release(5_050);
    assertThat(limiter.nextFreeAt(5_100)).isEqualTo(5_100); // one slot given back is free at once
    assertThat(limiter.tryAcquire(5_100)).isTrue();
    assertThat(limiter.tryAcquire(5_100)).isFalse();
    limiter.release(4_000); // never taken: nothing changes
    assertThat(limiter.tryAcquire(5_100)).isFalse();
  }

  @Test
  void theLimitIsApportionedToPartitionsInWholeCreatesThatAddUpExactly() {
    int sum = 0;
    for (Set<Integer> owned : List.of(Set.of(0, 3), Set.of(1, 4), Set.of(2, 5))) {
      CreateRateLimiter limiter = new CreateRateLimiter(20, 10_000);
      limiter.partitions(owned, 6, -100_000);
      sum += (int) limiter.share();
    }
    assertThat(sum).isEqualTo(20);
    CreateRateLimiter first = new CreateRateLimiter(20, 10_000);
    first.partitions(Set.of(0, 3), 6, -100_000);
    assertThat(first.share()).isEqualTo(7.0); // partition 0 carries 4, partition 3 carries 3
  }

  @Test
  void morePartitionsThanTheLimitFallBackToAFractionalShare() {
    CreateRateLimiter limiter = new CreateRateLimiter(2, 10_000);
    limiter.partitions(Set.of(5), 6, -100_000);
    assertThat(limiter.share()).isCloseTo(0.333, org.assertj.core.data.Offset.offset(0.001));
    assertThat(limiter.tryAcquire(0)).isTrue();
    assertThat(limiter.tryAcquire(20_000)).isFalse(); // one create per ~30 s
    assertThat(limiter.tryAcquire(31_000)).isTrue();
  }

  @Test
  void noPartitionsNoCreates() {
    CreateRateLimiter limiter = new CreateRateLimiter(20, 10_000);
    limiter.partitions(Set.of(), 6, 0);
    assertThat(limiter.tryAcquire(0)).isFalse();
    assertThat(limiter.nextFreeAt(0)).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void a429BlocksThenHalvesTheShareAndQuietWindowsGrowItBack() {
    CreateRateLimiter limiter = new CreateRateLimiter(20, 10_000);
    limiter.rateLimited(20_000, 25_000);
    assertThat(limiter.share()).isEqualTo(10.0);
    assertThat(limiter.tryAcquire(24_999)).isFalse();
    assertThat(limiter.tryAcquire(25_000)).isTrue();
    long t = 25_000;
    for (int window = 0; window < 20 && limiter.share() < 20; window++) {
      t += 11_000;
      limiter.tryAcquire(t);
    }
    assertThat(limiter.share()).isEqualTo(20.0);
  }

  @Test
  void aShareThatGrowsWhileOthersOwnPartitionsStartsUsed() {
    CreateRateLimiter limiter = new CreateRateLimiter(20, 10_000);
    limiter.partitions(Set.of(), 3, 0);
    limiter.partitions(Set.of(1), 3, 1_000);
    assertThat(limiter.tryAcquire(1_000)).isFalse();
    assertThat(limiter.nextFreeAt(1_000)).isGreaterThan(10_000);
    CreateRateLimiter alone = new CreateRateLimiter(20, 10_000);
    alone.partitions(Set.of(0, 1, 2), 3, 0);
    assertThat(alone.tryAcquire(0)).isTrue();
  }

  @Test
  void releaseGivesBackASlot() {
    CreateRateLimiter limiter = new CreateRateLimiter(1, 10_000);
    assertThat(limiter.tryAcquire(0)).isTrue();
    assertThat(limiter.tryAcquire(1)).isFalse();
    limiter.release(0);
    assertThat(limiter.tryAcquire(2)).isTrue();
  }

  @Test
  void aSlotCountsFromWhenTheCreateWasSent() {
    CreateRateLimiter limiter = new CreateRateLimiter(1, 10_000);
    assertThat(limiter.tryAcquire(0)).isTrue();
    limiter.sent(0, 500);
    assertThat(limiter.nextFreeAt(1)).isEqualTo(500 + 10_200);
  }

  @Test
  void aDecreaseAppliesAtOnceAndKeepsTheSlotsAlreadyTaken() {
    CreateRateLimiter limiter = new CreateRateLimiter(20, 10_000);
    for (int i = 0; i < 8; i++) {
      assertThat(limiter.tryAcquire(i)).isTrue();
    }
    limiter.share(5, 10, 1_000);
    assertThat(limiter.share()).isEqualTo(5.0);
    assertThat(limiter.tryAcquire(10)).isFalse(); // 8 taken in the window, 5 allowed
    assertThat(limiter.tryAcquire(10_202)).isFalse(); // 5 of the 8 still inside the window
    assertThat(limiter.tryAcquire(10_203)).isTrue(); // 4 left: one of the 5 is free
  }

  @Test
  void anIncreaseStartsAsUsedAfterTheStartDelayForOneWindow() {
    CreateRateLimiter limiter = new CreateRateLimiter(20, 10_000);
    limiter.share(0, 0, 1_000);
    assertThat(limiter.nextFreeAt(0)).isEqualTo(Long.MAX_VALUE);
    limiter.share(6, 5_000, 1_000);
    assertThat(limiter.tryAcquire(5_000)).isFalse();
    // The 6 added creates count as taken at 6,000 (5,000 + the delay): free one window later.
    assertThat(limiter.nextFreeAt(5_000)).isEqualTo(6_000 + 10_200);
    assertThat(limiter.tryAcquire(16_199)).isFalse();
    for (int i = 0; i < 6; i++) {
      assertThat(limiter.tryAcquire(16_200)).isTrue();
    }
    assertThat(limiter.tryAcquire(16_200)).isFalse();
  }

  @Test
  void onlyTheAddedPartOfAnIncreaseWaitsAndRepeatingAShareChangesNothing() {
    CreateRateLimiter limiter = new CreateRateLimiter(20, 10_000);
    limiter.share(4, 0, -1);
    limiter.share(4, 0, 1_000);
    for (int i = 0; i < 4; i++) {
      assertThat(limiter.tryAcquire(0)).isTrue(); // usable at once: nobody else held it
    }
    limiter.share(10, 100, 0);
    limiter.share(10, 200, 0); // the same share again: no further slot taken
    assertThat(limiter.tryAcquire(200)).isFalse();
    assertThat(limiter.tryAcquire(10_200)).isTrue(); // the 4 real creates left; the 6 added wait until 10,300
    assertThat(limiter.tryAcquire(10_200)).isTrue();
    assertThat(limiter.tryAcquire(10_200)).isTrue();
    assertThat(limiter.tryAcquire(10_200)).isTrue();
    assertThat(limiter.tryAcquire(10_200)).isFalse();
    assertThat(limiter.tryAcquire(10_300)).isTrue();
  }

  @Test
  void aShareCutByA429StaysCutAcrossNewShares() {
    CreateRateLimiter limiter = new CreateRateLimiter(20, 10_000);
    limiter.share(10, 0, -1);
    limiter.rateLimited(20_000, 21_000);
    assertThat(limiter.share()).isEqualTo(5.0);
    limiter.share(12, 20_500, 0);
    assertThat(limiter.share()).isEqualTo(7.0); // the cut of 5 kept
    assertThat(limiter.fairShare()).isEqualTo(12.0);
    limiter.share(4, 20_600, 0);
    assertThat(limiter.share()).isEqualTo(4.0);
  }

  /**
   * The hand-over the group does when demand moves from one instance to another: A spent the whole
   * limit, learns that its share fell to 0; B learns up to the delay earlier that its share rose to
   * the limit. Over any window the two together never exceed the limit.
   */
  @Test
  void aShareMovedBetweenTwoInstancesNeverLetsThemTogetherExceedTheLimitInAWindow() {
    long window = 10_000;
    CreateRateLimiter a = new CreateRateLimiter(20, window);
    CreateRateLimiter b = new CreateRateLimiter(20, window);
    a.share(20, 0, -1);
    b.share(0, 0, -1);
    List<Long> creates = new java.util.ArrayList<>();
    long delay = 1_500;
    long bLearns = 20_000;
    long aLearns = bLearns + delay; // A learns as late as the delay allows
    for (long t = 0; t < 60_000; t += 10) {
      if (t == bLearns) {
        b.share(20, t, delay);
      }
      if (t == aLearns) {
        a.share(0, t, delay);
      }
      while (a.tryAcquire(t)) {
        creates.add(t);
      }
      while (b.tryAcquire(t)) {
        creates.add(t);
      }
    }
    for (long from : creates) {
      long inWindow = creates.stream().filter(c -> c >= from && c < from + window).count();
      assertThat(inWindow).as("creates in [%d, %d)", from, from + window).isLessThanOrEqualTo(20);
    }
    assertThat(creates.stream().filter(c -> c >= 40_000).count()).isGreaterThan(0);
  }
}
