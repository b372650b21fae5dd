package io.kieworker.tracking;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class PlanLoadExplore {
  @Test
  void explore() {
    long[] d = PlanLoad.uniform(1000, 10_000, 90_000, 42);
    long[] learned = PlanLoad.uniform(256, 10_000, 90_000, 7);
    for (boolean phases : new boolean[] {false, true}) {
      for (double rate : new double[] {10, 3.2}) {
        for (Duration target : new Duration[] {null, Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(5)}) {
          PlanLoad.Outcome o = new PlanLoad(rate, target, phases).learned(learned).run(1000, 625, d);
          System.out.printf("phases=%s rate=%s target=%s -> %s%n", phases, rate, target, o);
        }
      }
    }
    System.out.println("cold: " + new PlanLoad(10, null, true).run(1000, 625, d));
  }
}
