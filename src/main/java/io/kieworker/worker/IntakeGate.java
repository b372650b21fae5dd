package io.kieworker.worker;

/**
 * Stops and restarts reading requests, for reasons raised anywhere (no credits, refused key, a
 * quota, uploads backing up, backpressure), and reports the key's state to readiness.
 * Event-loop confined.
 */
interface IntakeGate {
  /** Pauses the request partitions until every reason given is cleared. */
  void pauseFor(String reason);

  void resumeFrom(String reason);

  /** Kie.ai accepted (or refused) the API key: readiness follows it. */
  void keyAccepted(boolean accepted);
}
