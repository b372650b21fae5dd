package io.kieworker.chaos;

import io.kieworker.worker.StoreListener;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fault injection for the result-store crash test only: with {@code KIE_WORKER_CRASH_AFTER_STORES=N}
 * in the environment, the JVM halts (as kill -9 would) right after the N-th copy was recorded in
 * the ledger and before its result was published. Registered through META-INF/services on the test
 * class path; the production jar has no such entry.
 */
public final class StoreCrashHook implements StoreListener {
  private static final Logger LOG = LoggerFactory.getLogger(StoreCrashHook.class);
  static final String VARIABLE = "KIE_WORKER_CRASH_AFTER_STORES";

  private final int crashAfter;
  private final AtomicInteger stores = new AtomicInteger();

  public StoreCrashHook() {
    int n = 0;
    String setting = System.getenv(VARIABLE);
    try {
      n = setting == null ? 0 : Integer.parseInt(setting.trim());
    } catch (NumberFormatException e) {
      LOG.warn("{} is not a number; ignored", VARIABLE);
    }
    this.crashAfter = n;
  }

  @Override
  public void stored(String requestId, String taskId) {
    if (crashAfter > 0 && stores.incrementAndGet() == crashAfter) {
      LOG.error("{}={} reached: halting between a stored copy and its result", VARIABLE, crashAfter);
      Runtime.getRuntime().halt(137);
    }
  }
}
