package io.kieworker.result;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/** One Kafka record header; {@code value} may be null (Kafka allows it). */
public record HeaderValue(String name, byte[] value) {
  public HeaderValue {
    Objects.requireNonNull(name, "name");
    value = value == null ? null : value.clone();
  }

  public static HeaderValue of(String name, String value) {
    return new HeaderValue(name, value == null ? null : value.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public byte[] value() {
    return value == null ? null : value.clone();
  }

  /** The value decoded as UTF-8, or null. */
  public String text() {
    return value == null ? null : new String(value, StandardCharsets.UTF_8);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof HeaderValue other && name.equals(other.name) && Arrays.equals(value, other.value);
  }

  @Override
  public int hashCode() {
    return 31 * name.hashCode() + Arrays.hashCode(value);
  }

  @Override
  public String toString() {
    return name + "=" + (value == null ? "null" : value.length + " bytes");
  }
}
