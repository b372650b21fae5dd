package io.kieworker.result;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * What the result store did with a SUCCEEDED result's images (issue 13): either every image was
 * copied ({@code storedUrls} in the order of {@code resultUrls}, and one {@link StoredObject} per
 * image) or none is claimed and {@code error} says why. Written into the result event as the
 * optional top-level fields {@code storedUrls}, {@code stored} and {@code storeError}.
 */
public record StoredCopy(List<String> storedUrls, List<StoredObject> stored, StoreError error) {
  public StoredCopy {
    storedUrls = storedUrls == null ? List.of() : List.copyOf(storedUrls);
    stored = stored == null ? List.of() : List.copyOf(stored);
  }

  public static StoredCopy failed(String code, String message) {
    return new StoredCopy(List.of(), List.of(), new StoreError(code, message));
  }

  /** One object written to the store. */
  public record StoredObject(String key, long bytes, String sha256, String contentType) {
    JsonObject toJson() {
      return new JsonObject().put("key", key).put("bytes", bytes).put("sha256", sha256).put("contentType", contentType);
    }

    static StoredObject fromJson(JsonObject json) {
      return new StoredObject(json.getString("key"), json.getLong("bytes", 0L), json.getString("sha256"),
          json.getString("contentType"));
    }
  }

  /** Why the images are not in the store; the result is still SUCCEEDED with Kie.ai's URLs. */
  public record StoreError(String code, String message) {}

  /** Adds the fields to a result event's JSON. */
  void writeTo(JsonObject json) {
    if (error != null) {
      json.put("storeError", new JsonObject().put("code", error.code()).put("message", error.message()));
      return;
    }
    json.put("storedUrls", new JsonArray(List.copyOf(storedUrls)));
    JsonArray objects = new JsonArray();
    stored.forEach(o -> objects.add(o.toJson()));
    json.put("stored", objects);
  }

  /** Reads the fields back from a result event's JSON; null when it has none. */
  static StoredCopy readFrom(JsonObject json) {
    JsonObject error = json.getJsonObject("storeError");
    if (error != null) {
      return failed(error.getString("code"), error.getString("message"));
    }
    JsonArray urls = json.getJsonArray("storedUrls");
    JsonArray objects = json.getJsonArray("stored");
    if (urls == null && objects == null) {
      return null;
    }
    return new StoredCopy(
        urls == null ? List.of() : urls.stream().map(String::valueOf).toList(),
        objects == null ? List.of() : objects.stream().map(JsonObject.class::cast).map(StoredObject::fromJson).toList(),
        null);
  }

  /** The JSON the ledger keeps of a finished copy (the same fields as in the result event). */
  public JsonObject toJson() {
    JsonObject json = new JsonObject();
    writeTo(json);
    return json;
  }

  public static StoredCopy fromJson(JsonObject json) {
    return json == null ? null : readFrom(json);
  }
}
