package io.kieworker.worker;

import java.util.List;
import java.util.ServiceLoader;

/**
 * Told of every paid create the moment Kie.ai answered it with a task id, before that id is in the
 * ledger. Implementations are found with {@link ServiceLoader} on the class path; the production jar
 * ships none. The chaos suite's {@code CrashHook} (src/test) uses it to halt the JVM in exactly that
 * window. Called on the worker's event loop: must not block.
 */
public interface CreateListener {
  void created(String requestId, String taskId);

  /** The listeners on the class path (usually none). */
  static List<CreateListener> installed() {
    return ServiceLoader.load(CreateListener.class).stream().map(ServiceLoader.Provider::get).toList();
  }
}
