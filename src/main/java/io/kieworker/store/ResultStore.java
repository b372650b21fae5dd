package io.kieworker.store;

import io.kieworker.result.StoredCopy;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Copies a succeeded task's result images into the user's object store. */
public interface ResultStore {
  /** What to copy: the request's identity (for keys and object metadata) and Kie.ai's URLs. */
  record Job(String requestId, String taskId, String model, Instant receivedAt, Map<String, String> metadata,
      List<String> urls) {}

  /**
   * Copies every URL of the job, retrying transient failures with backoff until the configured
   * maximum wait. Never fails: a copy that could not be done completes with {@link StoredCopy#error()}.
   * Completes on the caller's Vert.x context.
   */
  Future<StoredCopy> copy(Job job);

  Future<Void> close();
}
