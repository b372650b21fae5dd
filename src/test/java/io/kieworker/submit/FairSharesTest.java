package io.kieworker.submit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class FairSharesTest {

  @Test
  void oneHotInstanceTakesTheWholeLimitWhileTheOthersHaveNoDemand() {
    assertThat(FairShares.of(20, Map.of("a", 500, "b", 0, "c", 0))).isEqualTo(Map.of("a", 20, "b", 0, "c", 0));
  }

  @Test
  void equalBacklogsSplitTheLimitInWholeCreatesFirstIdsTakingTheRemainder() {
    assertThat(FairShares.of(20, Map.of("c", 100, "a", 100, "b", 100))).isEqualTo(Map.of("a", 7, "b", 7, "c", 6));
  }

  @Test
  void smallDemandsAreMetInFullAndTheRestIsSharedByTheBigOnes() {
    assertThat(FairShares.of(20, Map.of("a", 2, "b", 100, "c", 100))).isEqualTo(Map.of("a", 2, "b", 9, "c", 9));
    assertThat(FairShares.of(20, Map.of("a", 2, "b", 5, "c", 100))).isEqualTo(Map.of("a", 2, "b", 5, "c", 13));
  }

  @Test
  void whatTheGroupDoesNotNeedIsSpreadEvenlySoAnIdleInstanceCanCreateAtOnce() {
    assertThat(FairShares.of(20, Map.of("a", 4, "b", 0, "c", 1))).isEqualTo(Map.of("a", 9, "b", 5, "c", 6));
    assertThat(FairShares.of(20, Map.of("a", 0, "b", 0))).isEqualTo(Map.of("a", 10, "b", 10));
  }

  @Test
  void moreInstancesThanCreatesLeaveSomeWithoutAShare() {
    assertThat(FairShares.of(2, Map.of("a", 5, "b", 5, "c", 5))).isEqualTo(Map.of("a", 1, "b", 1, "c", 0));
  }

  @Test
  void aNegativeDemandCountsAsNoneAndNoInstancesMeansNoShares() {
    assertThat(FairShares.of(20, Map.of("a", -3, "b", 100))).isEqualTo(Map.of("a", 0, "b", 20));
    assertThat(FairShares.of(20, Map.of())).isEmpty();
  }

  /** The properties every instance relies on, over random demands. */
  @Test
  void sharesAddUpToTheLimitNeverExceedAFairLevelAboveDemandAndDoNotDependOnOrder() {
    Random random = new Random(7);
    for (int round = 0; round < 2_000; round++) {
      int limit = 1 + random.nextInt(40);
      Map<String, Integer> demands = new TreeMap<>();
      int n = 1 + random.nextInt(6);
      for (int i = 0; i < n; i++) {
        demands.put("i" + random.nextInt(1000) + "-" + i, random.nextInt(3) == 0 ? 0 : random.nextInt(60));
      }
      Map<String, Integer> shares = FairShares.of(limit, demands);
      assertThat(shares.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(limit);
      int total = demands.values().stream().mapToInt(Integer::intValue).sum();
      if (total >= limit) {
        // No share above its demand while some other demand is unmet.
        demands.forEach((id, d) -> assertThat(shares.get(id)).isLessThanOrEqualTo(Math.max(d, 0)));
        // Max-min: an unmet instance's share is within one create of every larger share.
        int maxShare = shares.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        demands.forEach((id, d) -> {
          if (shares.get(id) < d) {
            assertThat(shares.get(id)).isGreaterThanOrEqualTo(maxShare - 1);
          }
        });
      } else {
        demands.forEach((id, d) -> assertThat(shares.get(id)).isGreaterThanOrEqualTo(d));
      }
      assertThat(FairShares.of(limit, new java.util.HashMap<>(demands))).isEqualTo(shares);
    }
  }
}
