package io.kieworker.worker;

import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fault injection for the chaos suite only: with {@code KIE_WORKER_CRASH_AFTER_CREATES=N} in the
 * environment, the JVM halts (as kill -9 would) right after the N-th create was answered and before
 * its task id reached the ledger: the window where a crash leaves an ambiguous create behind.
 * Unset in every real deployment; never read from the configuration file.
 */
final class CrashHook {
  private static final Logger LOG = LoggerFactory.getLogger(CrashHook.class);
  static final String VARIABLE = "KIE_WORKER_CRASH_AFTER_CREATES";

  private final int crashAfter;
  private final AtomicInteger creates = new AtomicInteger();

  CrashHook(String setting) {
    int n = 0;
    try {
      n = setting == null ? 0 : Integer.parseInt(setting.trim());
    } catch (NumberFormatException e) {
      LOG.warn("{} is not a number; ignored", VARIABLE);
    }
    this.crashAfter = n;
  }

  static CrashHook fromEnvironment() {
    return new CrashHook(System.getenv(VARIABLE));
  }

  /** Called after a create succeeded, before SUBMITTED is written. */
  void afterCreate() {
    if (crashAfter > 0 && creates.incrementAndGet() == crashAfter) {
      LOG.error("{}={} reached: halting between a create and its ledger write", VARIABLE, crashAfter);
      Runtime.getRuntime().halt(137);
    }
  }
}
