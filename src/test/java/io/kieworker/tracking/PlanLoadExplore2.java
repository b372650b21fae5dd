package io.kieworker.tracking;

import io.kieworker.kie.TaskState;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class PlanLoadExplore2 {
  @Test
  void explore() {
    PlanLoad.DEBUG = true;
    System.out.println(new PlanLoad(3.2, null, true).learned(PlanLoad.uniform(256, 10_000, 90_000, 7)).run(1000, 625, PlanLoad.uniform(1000, 10_000, 90_000, 42)));
    PlanLoad.DEBUG = false;
    CompletionTimes times = new CompletionTimes();
    PhaseTimes phases = new PhaseTimes();
    for (long d : PlanLoad.uniform(256, 10_000, 90_000, 7)) {
      times.record("m", d);
      phases.record("m", TaskState.QUEUING, d / 10, d);
    }
    PollPlan plan = new PollPlan(times, phases, new ReadPrice(1000, 10, 0), Duration.ofSeconds(1), Duration.ofSeconds(30), null, false, () -> 0.0);
    System.out.println("first " + plan.nextDelay("m", 0, Duration.ofSeconds(15), 0, null, 0));
    PollPlan.Seen seen = PollPlan.Seen.next(null, TaskState.QUEUING, 5300);
    System.out.println("pred " + java.util.Arrays.toString(java.util.Arrays.copyOf(phases.predict("m", TaskState.QUEUING, 5300), 5)));
    System.out.println("next " + plan.nextDelay("m", 10_000, Duration.ofSeconds(15), 1, seen, 10_000));
  }
}
