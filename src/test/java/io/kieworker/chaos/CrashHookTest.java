package io.kieworker.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.kieworker.worker.CreateListener;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The chaos suite's crash point reaches the worker only through the test class path. */
@Tag("unit")
class CrashHookTest {
  @Test
  void theTestClassPathInstallsTheCrashHook() {
    assertThat(CreateListener.installed()).hasAtLeastOneElementOfType(CrashHook.class);
  }

  @Test
  void unsetOrGarbageNeverHalts() {
    new CrashHook(null).created("r", "t");
    new CrashHook("soon").created("r", "t");
    new CrashHook("0").created("r", "t");
  }
}
