package io.kieworker.callback;

import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * Logs refused callbacks at most once per reason per window, with the number of refusals left
 * unlogged since the last line: a flood of forged callbacks costs a few lines, not one per request.
 * Every refusal is still counted in metrics by the caller. Thread-safe (the HTTP server may run on
 * several event loops); the lock is held only to update a counter.
 */
final class RefusalLog {
  /** Long enough that a flood is a handful of lines a minute, short enough to see a new attack. */
  static final long WINDOW_MS = 10_000;

  private final Logger log;
  private final LongSupplier clock;
  private final Map<String, Window> windows = new HashMap<>();

  RefusalLog(Logger log, LongSupplier clock) {
    this.log = log;
    this.clock = clock;
  }

  private static final class Window {
    long startedAt;
    long suppressed;
  }

  /** Logs this refusal unless one of the same reason was logged less than a window ago. */
  void refused(String reason, String path, Object remote, String message) {
    long suppressed;
    synchronized (windows) {
      long now = clock.getAsLong();
      Window w = windows.get(reason);
      if (w != null && now - w.startedAt < WINDOW_MS) {
        w.suppressed++;
        return;
      }
      if (w == null) {
        w = new Window();
        windows.put(reason, w);
      }
      suppressed = w.suppressed;
      w.startedAt = now;
      w.suppressed = 0;
    }
    if (suppressed == 0) {
      log.info("Refused callback {} from {}: {}", path, remote, message);
    } else {
      log.info("Refused callback {} from {}: {} ({} more refused for {} in the last {} s, not logged)", path, remote,
          message, suppressed, reason, WINDOW_MS / 1000);
    }
  }
}
