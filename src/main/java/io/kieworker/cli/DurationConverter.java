package io.kieworker.cli;

import io.kieworker.config.Durations;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Duration options in the settings' syntax ({@code 250ms}, {@code 60s}, {@code 15m}, {@code 24h}, {@code 7d}). */
final class DurationConverter implements ITypeConverter<Duration> {
  static final DurationConverter INSTANCE = new DurationConverter();

  @Override
  public Duration convert(String value) {
    return Durations.parse(value).orElseThrow(
        () -> new TypeConversionException("'" + value + "' is not a duration like 250ms, 60s or 15m"));
  }
}
