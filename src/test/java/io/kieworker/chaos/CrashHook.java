package io.kieworker.chaos;

import io.kieworker.worker.CreateListener;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fault injection for the chaos suite only: with {@code KIE_WORKER_CRASH_AFTER_CREATES=N} in the
 * environment, the JVM halts (as kill -9 would) right after the N-th create was answered and before
 * its task id reached the ledger: the window where a crash leaves an ambiguous create behind.
 * Unset in every real deployment; never read from the configuration file. Lives in the tests: it
 * reaches the worker as a {@link CreateListener} through META-INF/services on the test class path
 * (which the chaos suite's worker processes run with); the production jar has no such entry.
 */
public final class CrashHook implements CreateListener {
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

  /** The ServiceLoader's constructor: the setting comes from the environment. */
  public CrashHook() {
    this(System.getenv(VARIABLE));
  }

  /** Called after a create succeeded, before SUBMITTED is written. */
  @Override
  public void created(String requestId, String taskId) {
    if (crashAfter > 0 && creates.incrementAndGet() == crashAfter) {
      LOG.error("{}={} reached: halting between a create and its ledger write", VARIABLE, crashAfter);
      Runtime.getRuntime().halt(137);
    }
  }
}
