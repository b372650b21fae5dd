package io.kieworker.callback;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

@Tag("unit")
class RefusalLogTest {
  private final Logger logger = (Logger) LoggerFactory.getLogger("test.RefusalLog." + System.nanoTime());
  private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
  private final AtomicLong now = new AtomicLong(1_000_000);
  private final RefusalLog log = new RefusalLog(logger, now::get);

  @BeforeEach
  void attach() {
    lines.setContext(logger.getLoggerContext());
    lines.start();
    logger.addAppender(lines);
  }

  @AfterEach
  void detach() {
    logger.detachAppender(lines);
  }

  @Test
  void oneLinePerReasonPerWindowThenTheCountOfTheSuppressedOnes() {
    for (int i = 0; i < 500; i++) {
      log.refused("token", "/callbacks/kie/0/r", "1.2.3.4:5", "invalid token");
      now.addAndGet(10); // 500 refusals in 5 s
    }
    log.refused("partition", "/callbacks/kie/9/r", "1.2.3.4:5", "unknown partition");
    assertThat(lines.list).hasSize(2);

    now.addAndGet(RefusalLog.WINDOW_MS);
    log.refused("token", "/callbacks/kie/0/r", "1.2.3.4:5", "invalid token");
    assertThat(lines.list).hasSize(3);
    assertThat(lines.list.get(2).getFormattedMessage()).contains("499 more refused for token");

    log.refused("token", "/callbacks/kie/0/r", "1.2.3.4:5", "invalid token");
    now.addAndGet(RefusalLog.WINDOW_MS);
    log.refused("token", "/callbacks/kie/0/r", "1.2.3.4:5", "invalid token");
    assertThat(lines.list).hasSize(4);
    assertThat(lines.list.get(3).getFormattedMessage()).contains("1 more refused");
  }
}
