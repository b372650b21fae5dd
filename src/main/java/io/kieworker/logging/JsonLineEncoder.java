package io.kieworker.logging;

import ch.qos.logback.classic.encoder.JsonEncoder;

/**
 * Logback's JSON encoder trimmed to what a log pipeline needs: one object per line with timestamp,
 * level, thread, logger, MDC (requestId, taskId, partition, offset), the formatted message and any
 * throwable. No raw arguments: the formatted message already holds them once.
 */
public class JsonLineEncoder extends JsonEncoder {
  public JsonLineEncoder() {
    setWithSequenceNumber(false);
    setWithNanoseconds(false);
    setWithContext(false);
    setWithMessage(false);
    setWithArguments(false);
    setWithFormattedMessage(true);
  }
}
