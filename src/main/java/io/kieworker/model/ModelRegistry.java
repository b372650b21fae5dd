package io.kieworker.model;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** PLACEHOLDER API — being implemented; signatures are fixed. */
public final class ModelRegistry {

  /** The registry shipped in the jar (classpath {@code models/}). */
  public static ModelRegistry builtIn() {
    throw new UnsupportedOperationException("not implemented yet");
  }

  public Set<String> modelIds() {
    throw new UnsupportedOperationException("not implemented yet");
  }

  public Optional<ModelSpec> find(String modelId) {
    throw new UnsupportedOperationException("not implemented yet");
  }

  /** Every violation of a Market createTask {@code input} for {@code modelId}; empty = valid. */
  public List<Violation> validateMarket(String modelId, JsonObject input) {
    throw new UnsupportedOperationException("not implemented yet");
  }

  /** Every violation of a legacy {@code /api/v1/nano-banana/generate} body; empty = valid. */
  public List<Violation> validateLegacy(JsonObject body) {
    throw new UnsupportedOperationException("not implemented yet");
  }
}
