package io.kieworker.logging;

import ch.qos.logback.classic.Level;
import org.slf4j.LoggerFactory;

/** For console programs (demo, bench): the worker's and Kafka's INFO lines would drown their tables. */
public final class QuietLogs {
  private QuietLogs() {}

  /** Warnings and errors still show; Micrometer's and Kafka's only from ERROR on. */
  public static void apply() {
    level("io.kieworker", Level.WARN);
    level("io.vertx", Level.WARN);
    // Micrometer warns once that Vert.x registers a gauge twice; harmless and not the reader's business.
    level("io.micrometer", Level.ERROR);
    level("org.apache.kafka", Level.ERROR);
    level("kafka", Level.ERROR);
    level("state.change.logger", Level.ERROR);
  }

  private static void level(String logger, Level level) {
    if (LoggerFactory.getLogger(logger) instanceof ch.qos.logback.classic.Logger l) {
      l.setLevel(level);
    }
  }
}
