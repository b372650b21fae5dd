package io.kieworker.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class IsoInstantTest {

  @Test
  void edgeCasesPrintAsInstantToString() {
    List<Instant> edges = new ArrayList<>(List.of(Instant.EPOCH, Instant.MIN, Instant.MAX,
        Instant.parse("0000-01-01T00:00:00Z"), Instant.parse("-0001-12-31T23:59:59.999999999Z"),
        Instant.parse("9999-12-31T23:59:59.999999999Z"), Instant.parse("+10000-01-01T00:00:00Z"),
        Instant.parse("1969-12-31T23:59:59.5Z"), Instant.parse("2000-02-29T12:00:00Z"),
        Instant.parse("2100-03-01T00:00:00Z"), Instant.parse("0999-01-01T01:01:01Z")));
    for (int nano : new int[] {0, 1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000,
        999_999_999, 999_000_000, 999_999_000, 120_000_000, 123_400_000, 123_450_000, 123_456_700, 5_000}) {
      edges.add(Instant.ofEpochSecond(1_764_600_000L, nano));
      edges.add(Instant.ofEpochSecond(0, nano));
      edges.add(Instant.ofEpochSecond(-1, nano));
    }
    edges.add(Instant.now());
    edges.forEach(at -> assertThat(IsoInstant.format(at)).as("%s", at).isEqualTo(at.toString()));
  }

  @Test
  void randomInstantsPrintAsInstantToString() {
    SplittableRandom random = new SplittableRandom(11);
    for (int i = 0; i < 200_000; i++) {
      long seconds = switch (i % 3) {
        case 0 -> random.nextLong(Instant.MIN.getEpochSecond(), Instant.MAX.getEpochSecond());
        case 1 -> random.nextLong(-62_167_219_200L - 86_400, 253_402_300_799L + 86_400);
        default -> random.nextLong(1_700_000_000L, 1_900_000_000L);
      };
      int nano = switch (i % 4) {
        case 0 -> 0;
        case 1 -> random.nextInt(1_000) * 1_000_000;
        case 2 -> random.nextInt(1_000_000) * 1_000;
        default -> random.nextInt(1_000_000_000);
      };
      Instant at = Instant.ofEpochSecond(seconds, nano);
      assertThat(IsoInstant.format(at)).as("%s", at).isEqualTo(at.toString());
    }
  }
}
