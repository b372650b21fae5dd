package io.kieworker.worker;

import io.kieworker.logging.RequestLog;
import org.slf4j.Logger;

/** {@link RequestLog} for a {@link PendingTask}: its request id, task id, partition and offset go into the MDC. */
final class TaskLog {
  private TaskLog() {}

  static void info(Logger log, PendingTask task, String format, Object... args) {
    RequestLog.info(log, task.requestId, task.taskId, task.partition, task.offset, format, args);
  }

  static void warn(Logger log, PendingTask task, String format, Object... args) {
    RequestLog.warn(log, task.requestId, task.taskId, task.partition, task.offset, format, args);
  }
}
