package io.kieworker.logging;

import org.slf4j.Logger;
import org.slf4j.MDC;
import org.slf4j.event.Level;

/**
 * Log lines about one request, with {@code requestId}, {@code taskId}, {@code partition} and
 * {@code offset} in the MDC for exactly that line (JSON logs carry them as fields). The MDC is
 * thread-local: it is set and cleared around the call, so event-loop threads never leak one
 * request's context into the next line.
 */
public final class RequestLog {
  public static final String REQUEST_ID = "requestId";
  public static final String TASK_ID = "taskId";
  public static final String PARTITION = "partition";
  public static final String OFFSET = "offset";

  private RequestLog() {}

  public static void info(Logger log, String requestId, String taskId, Integer partition, Long offset,
      String format, Object... args) {
    if (log.isInfoEnabled()) {
      log(log, Level.INFO, requestId, taskId, partition, offset, format, args);
    }
  }

  public static void warn(Logger log, String requestId, String taskId, Integer partition, Long offset,
      String format, Object... args) {
    if (log.isWarnEnabled()) {
      log(log, Level.WARN, requestId, taskId, partition, offset, format, args);
    }
  }

  private static void log(Logger log, Level level, String requestId, String taskId, Integer partition,
      Long offset, String format, Object... args) {
    put(REQUEST_ID, requestId);
    put(TASK_ID, taskId);
    put(PARTITION, partition);
    put(OFFSET, offset);
    try {
      log.atLevel(level).log(format, args);
    } finally {
      MDC.remove(REQUEST_ID);
      MDC.remove(TASK_ID);
      MDC.remove(PARTITION);
      MDC.remove(OFFSET);
    }
  }

  private static void put(String key, Object value) {
    if (value != null) {
      MDC.put(key, value.toString());
    }
  }
}
