package io.kieworker.submit;

import static org.assertj.core.api.Assertions.assertThat;

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
  void aShareOfTheAccountLimitIsExactEvenWhenFractional() {
    CreateRateLimiter limiter = new CreateRateLimiter(20, 10_000);
    limiter.partitions(1, 3, -100_000);
    assertThat(limiter.share()).isCloseTo(6.667, org.assertj.core.data.Offset.offset(0.001));
    int created = 0;
    for (long t = 0; t < 90_000; t += 10) {
      if (limiter.tryAcquire(t)) {
        created++;
      }
    }
    // 20/3 per 10 s over 90 s is 60 creates; the 2 % margin costs about one.
    assertThat(created).isBetween(58, 60);
  }

  @Test
  void noPartitionsNoCreates() {
    CreateRateLimiter limiter = new CreateRateLimiter(20, 10_000);
    limiter.partitions(0, 6, 0);
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
    limiter.partitions(0, 3, 0);
    limiter.partitions(1, 3, 1_000);
    assertThat(limiter.tryAcquire(1_000)).isFalse();
    assertThat(limiter.nextFreeAt(1_000)).isGreaterThan(10_000);
    CreateRateLimiter alone = new CreateRateLimiter(20, 10_000);
    alone.partitions(3, 3, 0);
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
