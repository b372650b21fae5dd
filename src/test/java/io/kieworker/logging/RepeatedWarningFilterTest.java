package io.kieworker.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.spi.FilterReply;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class RepeatedWarningFilterTest {
  private final LoggerContext context = new LoggerContext();
  private final RepeatedWarningFilter filter = new RepeatedWarningFilter();

  @Test
  void aRepeatedNetworkClientWarningPassesOncePerIntervalPerTemplate() {
    var network = context.getLogger("org.apache.kafka.clients.NetworkClient");
    String template = "[AdminClient clientId=a] Connection to node {} ({}) could not be established.";

    assertThat(filter.decide(null, network, Level.WARN, template, null, null)).isEqualTo(FilterReply.NEUTRAL);
    for (int i = 0; i < 50; i++) {
      assertThat(filter.decide(null, network, Level.WARN, template, null, null)).isEqualTo(FilterReply.DENY);
    }
    assertThat(filter.decide(null, network, Level.WARN, "[Producer clientId=p] " + template, null, null))
        .as("another client's warning").isEqualTo(FilterReply.NEUTRAL);
  }

  @Test
  void theIntervalReopensTheTemplate() {
    filter.setIntervalMillis(60_000);

    assertThat(filter.firstInInterval("k", 1_000)).isTrue();
    assertThat(filter.firstInInterval("k", 60_999)).isFalse();
    assertThat(filter.firstInInterval("k", 61_000)).isTrue();
  }

  @Test
  void errorsOtherLevelsAndOtherLoggersAreLeftAlone() {
    var network = context.getLogger("org.apache.kafka.clients.NetworkClient");
    var other = context.getLogger("io.kieworker.worker.Worker");
    for (int i = 0; i < 3; i++) {
      assertThat(filter.decide(null, network, Level.ERROR, "boom", null, null)).isEqualTo(FilterReply.NEUTRAL);
      assertThat(filter.decide(null, network, Level.INFO, "info", null, null)).isEqualTo(FilterReply.NEUTRAL);
      assertThat(filter.decide(null, other, Level.WARN, "same", null, null)).isEqualTo(FilterReply.NEUTRAL);
    }
  }
}
