package io.kieworker.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import io.kieworker.kie.TaskRecord;
import io.kieworker.kie.TaskState;
import io.kieworker.tracking.CompletionTimes;
import io.kieworker.tracking.PhaseTimes;
import io.kieworker.tracking.PollPlan;
import io.kieworker.tracking.ReadPrice;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Hostile task times: the poll plan reads Kie.ai's {@code createTime} and {@code updateTime} to
 * place the next status read. Whatever those say (missing, not numbers, in the far future or past,
 * out of order, overflowing), the next read comes no sooner than the minimum gap and no later than
 * the longest learned duration (or a maximum gap past it), and what cannot be true is not learned.
 */
class HostileTaskTimesTest {
  private static final long MIN_GAP = 1_000;
  private static final long MAX_GAP = 30_000;
  private static final long LONGEST = 90_000;
  private static final List<Object> HOSTILE_TIMES = List.of("yesterday", "", "1e400", "-5", -5L, 0L,
      Long.MAX_VALUE, Long.MIN_VALUE, 1e300, -1e300, Double.NaN, new JsonObject(), new JsonArray().add(1),
      true, "2026-13-45T99:99:99Z", "9999999999999999999999");

  private final CompletionTimes times = new CompletionTimes();
  private final PhaseTimes phases = new PhaseTimes();
  private final PollPlan plan = new PollPlan(times, phases, new ReadPrice(MIN_GAP, 10, 0),
      Duration.ofMillis(MIN_GAP), Duration.ofMillis(MAX_GAP), null, false, () -> 0.0);

  @Test
  void hostileCreateAndUpdateTimesNeverPlaceAReadOutsideItsBounds() {
    learnHonestly();
    long now = 1_800_000_000_000L;
    long submittedAt = now - 20_000;
    for (Object createTime : HOSTILE_TIMES) {
      for (Object updateTime : HOSTILE_TIMES) {
        TaskRecord record = TaskRecord.fromMarket(new JsonObject().put("taskId", "t").put("state", "generating")
            .put("createTime", createTime).put("updateTime", updateTime));
        PollPlan.Seen seen = PollPlan.Seen.next(null, record.state(), record.stateEnteredAfter(),
            record.createTime() == null ? -1 : record.createTime());

        long elapsed = PollPlan.elapsed(now, submittedAt, seen);
        long delay = plan.nextDelay("m", elapsed, Duration.ofSeconds(15), 1, seen, now);

        assertThat(elapsed).as("age with createTime %s", createTime).isBetween(0L, 20_000L + 60_000L);
        assertThat(delay).as("delay with createTime %s, updateTime %s", createTime, updateTime)
            .isBetween(MIN_GAP, Math.max(MAX_GAP, LONGEST - elapsed));
        if (record.stateEnteredAfter() < 0 || record.stateEnteredAfter() > 40_000) {
          int before = phases.samples("m", TaskState.QUEUING);
          PollPlan.Seen.next(null, TaskState.QUEUING, record.stateEnteredAfter(), -1).teach(phases, "m", 40_000);
          assertThat(phases.samples("m", TaskState.QUEUING)).isEqualTo(before); // nothing learned
        }
      }
    }
  }

  @Test
  void randomStatesAndTimesKeepEveryReadWithinBounds() {
    learnHonestly();
    Random random = new Random(11);
    TaskState[] states = TaskState.values();
    PollPlan.Seen seen = null;
    for (int i = 0; i < 20_000; i++) {
      long enteredAfter = random.nextBoolean() ? random.nextLong() : random.nextInt(200_000) - 1;
      seen = PollPlan.Seen.next(seen, states[random.nextInt(states.length)], enteredAfter, random.nextLong());
      long elapsed = random.nextInt(1_000_000);

      long delay = plan.nextDelay("m", elapsed, Duration.ofSeconds(15), i % 50, seen, i * 10L);

      assertThat(delay).isBetween(MIN_GAP, Math.max(MAX_GAP, LONGEST - elapsed));
      if (random.nextInt(10) == 0) { // lying but plausible completions too: the bound holds regardless
        seen.teach(phases, "m", random.nextBoolean() ? random.nextLong() : random.nextInt(86_400_000));
      }
    }
  }

  /** A model whose 256 durations run from 10 s to 90 s, and states whose starts predict them. */
  private void learnHonestly() {
    for (int i = 0; i < 256; i++) {
      long d = 10_000 + i * (LONGEST - 10_000) / 255;
      times.record("m", d);
      phases.record("m", TaskState.GENERATING, d / 4, d);
    }
  }
}
