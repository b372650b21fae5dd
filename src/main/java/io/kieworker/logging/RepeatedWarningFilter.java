package io.kieworker.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Marker;

/**
 * Lets a WARN of the named loggers through at most once per interval for each message template.
 * Kafka's NetworkClient warns on every reconnect attempt (every 50 ms to 1 s, per client) while a
 * broker is unreachable; the first warning says it all, and the worker says once itself what is
 * wrong. ERROR and below-WARN events pass untouched. Thread-safe (logging happens on any thread).
 *
 * <pre>{@code <turboFilter class="io.kieworker.logging.RepeatedWarningFilter">
 *   <loggerPrefix>org.apache.kafka.clients.NetworkClient</loggerPrefix>
 *   <intervalMillis>60000</intervalMillis>
 * </turboFilter>}</pre>
 */
public final class RepeatedWarningFilter extends TurboFilter {
  /** Templates remembered at most; a client's templates are few, the bound only guards memory. */
  private static final int MAX_TEMPLATES = 1_000;

  private final ConcurrentHashMap<String, Long> lastLogged = new ConcurrentHashMap<>();
  private String loggerPrefix = "org.apache.kafka.clients.NetworkClient";
  private long intervalMillis = 60_000;

  public void setLoggerPrefix(String loggerPrefix) {
    this.loggerPrefix = loggerPrefix;
  }

  public void setIntervalMillis(long intervalMillis) {
    this.intervalMillis = intervalMillis;
  }

  @Override
  public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    if (level != Level.WARN || format == null || !logger.getName().startsWith(loggerPrefix)) {
      return FilterReply.NEUTRAL;
    }
    return firstInInterval(logger.getName() + '|' + format, System.currentTimeMillis())
        ? FilterReply.NEUTRAL : FilterReply.DENY;
  }

  /** True when {@code key} was not let through within the last interval (and records it now). */
  boolean firstInInterval(String key, long now) {
    if (lastLogged.size() >= MAX_TEMPLATES) {
      lastLogged.clear();
    }
    boolean[] first = {false};
    lastLogged.compute(key, (k, last) -> {
      if (last == null || now - last >= intervalMillis) {
        first[0] = true;
        return now;
      }
      return last;
    });
    return first[0];
  }
}
