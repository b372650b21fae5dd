package io.kieworker.queue;

import java.util.Locale;
import java.util.Optional;

/** A request's optional {@code priority}: {@code high}, {@code normal} (the default) or {@code low}. */
public enum Priority {
  HIGH, NORMAL, LOW;

  /** The request field's value, e.g. {@code "high"}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Empty for anything but the three wire names. */
  public static Optional<Priority> fromWire(String text) {
    for (Priority p : values()) {
      if (p.wireName().equals(text)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }
}
