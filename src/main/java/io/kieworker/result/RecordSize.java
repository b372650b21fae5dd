package io.kieworker.result;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Properties;

/**
 * The size bound of every record the worker writes (result, dead letter, ledger) and how a record's
 * size is estimated against it.
 *
 * <p>The bound is {@value #DEFAULT_MAX_RECORD_BYTES} bytes unless the Kafka pass-through map sets
 * {@code max.request.size} (then that, less {@value #BATCH_OVERHEAD} bytes): Kafka's default
 * {@code max.message.bytes} of a topic is 1,048,588 bytes, and a record above it is refused by the
 * broker for good ({@code RecordTooLargeException}). Raise both together to write larger records.
 *
 * <p>Largest record of each kind (default bound):
 * <ul>
 *   <li>result: at most the bound; CloudEvents headers under 1 KiB, pass-through headers at most
 *       16 KiB ({@link PassThroughHeaders}), violations at most 50 (about 40 KiB); the rest is the
 *       request's metadata, left out when the record would not fit ({@code Outbox});</li>
 *   <li>dead letter: at most the bound; {@code dlq.*} headers under 1 KiB, original headers at most
 *       64 KiB ({@link DeadLetterHeaders}); the original value is omitted when it would not fit;</li>
 *   <li>ledger SUBMITTING / SUBMITTED / TERMINAL: at most the bound, checked for each new request
 *       at intake (larger ones are REJECTED {@code TOO_LARGE}); OWNERSHIP, CALLBACK and RELEASED
 *       records a few KiB (a callback body is bounded by the callback route).</li>
 * </ul>
 */
public final class RecordSize {
  public static final int DEFAULT_MAX_RECORD_BYTES = 1_000_000;
  /** Record batch header plus per-record framing, generously rounded up. */
  static final int BATCH_OVERHEAD = 1024;
  /** Per header framing (varint lengths), rounded up. */
  private static final int HEADER_OVERHEAD = 10;

  private RecordSize() {}

  /** The bound for the producer configured by {@code kafka} (the client pass-through properties). */
  public static int maxRecordBytes(Properties kafka) {
    Object configured = kafka == null ? null : kafka.get("max.request.size");
    if (configured == null) {
      return DEFAULT_MAX_RECORD_BYTES;
    }
    try {
      return Math.max(16 * 1024, Integer.parseInt(configured.toString().trim()) - BATCH_OVERHEAD);
    } catch (NumberFormatException e) {
      return DEFAULT_MAX_RECORD_BYTES;
    }
  }

  /** The estimated size of one record in a batch: key, value, headers and their framing. */
  public static int estimate(String key, int valueBytes, List<HeaderValue> headers) {
    long size = BATCH_OVERHEAD / 8 + utf8(key) + Math.max(0, valueBytes);
    if (headers != null) {
      for (HeaderValue h : headers) {
        byte[] value = h.value();
        size += HEADER_OVERHEAD + utf8(h.name()) + (value == null ? 0 : value.length);
      }
    }
    return (int) Math.min(Integer.MAX_VALUE, size);
  }

  private static int utf8(String text) {
    return text == null ? 0 : text.getBytes(StandardCharsets.UTF_8).length;
  }
}
