package io.kieworker.request;

import java.util.Locale;
import java.util.Optional;

/** Which Kie.ai API a request goes to; JSON {@code "market"} (the default) or {@code "legacy"}. */
public enum Endpoint {
  MARKET,
  LEGACY;

  public String jsonName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<Endpoint> fromJson(String value) {
    for (Endpoint e : values()) {
      if (e.jsonName().equals(value)) {
        return Optional.of(e);
      }
    }
    return Optional.empty();
  }
}
