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
}
