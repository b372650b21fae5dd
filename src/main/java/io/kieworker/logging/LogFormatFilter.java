package io.kieworker.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;

/**
 * Lets events through only when its appender's {@code format} is the selected LOG_FORMAT. Both
 * console appenders stay attached (logback warns about, and prints its status for, an appender
 * that is defined but not referenced); this filter silences the one not chosen.
 */
public class LogFormatFilter extends Filter<ILoggingEvent> {
  private String format = "text";
  private String selected = "text";
  private boolean active;

  public void setFormat(String format) {
    this.format = format;
  }

  public void setSelected(String selected) {
    this.selected = selected;
  }

  @Override
  public void start() {
    String chosen = selected == null || selected.isBlank() ? "text" : selected.trim();
    active = format.equalsIgnoreCase(chosen) || (!"json".equalsIgnoreCase(chosen) && "text".equalsIgnoreCase(format));
    super.start();
  }

  @Override
  public FilterReply decide(ILoggingEvent event) {
    return active ? FilterReply.NEUTRAL : FilterReply.DENY;
  }
}
