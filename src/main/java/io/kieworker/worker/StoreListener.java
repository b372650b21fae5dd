package io.kieworker.worker;

import java.util.List;
import java.util.ServiceLoader;

/**
 * Told of every result-store copy the moment it is recorded in the ledger, before its result is
 * published. Found with {@link ServiceLoader} on the class path; the production jar ships none. The
 * chaos suite's {@code StoreCrashHook} (src/test) uses it to halt the JVM in exactly that window.
 * Called on the worker's event loop: must not block.
 */
public interface StoreListener {
  void stored(String requestId, String taskId);

  /** The listeners on the class path (usually none). */
  static List<StoreListener> installed() {
    return ServiceLoader.load(StoreListener.class).stream().map(ServiceLoader.Provider::get).toList();
  }
}
