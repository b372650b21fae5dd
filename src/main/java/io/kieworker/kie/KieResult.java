package io.kieworker.kie;

import java.util.Objects;
import java.util.function.Function;

/**
 * The outcome of one Kie.ai call: a value or a classified {@link KieError}. Client futures always
 * succeed with a KieResult, so every caller handles every error class explicitly.
 */
public final class KieResult<T> {
  private final T value;
  private final KieError error;

  private KieResult(T value, KieError error) {
    this.value = value;
    this.error = error;
  }

  public static <T> KieResult<T> ok(T value) {
    return new KieResult<>(Objects.requireNonNull(value), null);
  }

  public static <T> KieResult<T> failed(KieError error) {
    return new KieResult<>(null, Objects.requireNonNull(error));
  }

  public boolean isOk() {
    return error == null;
  }

  /** The value; only when {@link #isOk()}. */
  public T value() {
    if (error != null) {
      throw new IllegalStateException("no value: " + error);
    }
    return value;
  }

  /** The error; only when not {@link #isOk()}. */
  public KieError error() {
    if (error == null) {
      throw new IllegalStateException("no error: the call succeeded");
    }
    return error;
  }

  public ErrorClass errorClass() {
    return error == null ? null : error.errorClass();
  }

  public <R> KieResult<R> map(Function<T, R> mapper) {
    return error == null ? ok(mapper.apply(value)) : failed(error);
  }

  @Override
  public String toString() {
    return error == null ? "ok(" + value + ")" : "failed(" + error + ")";
  }
}
