package io.kieworker.model;

/**
 * One broken rule of a request: where ({@code path}, e.g. {@code input.image_input[2]}) and a
 * sentence a person can act on ({@code message}).
 */
public record Violation(String path, String message) {
  @Override
  public String toString() {
    return path + ": " + message;
  }
}
