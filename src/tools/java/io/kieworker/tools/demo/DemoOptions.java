package io.kieworker.tools.demo;

import java.time.Duration;

/**
 * @param requests how many requests to send (the first {@link DemoSample#SCENARIOS} are the scripted scenarios)
 * @param callbacks callback mode through the worker's own HTTP port; false = poll only
 * @param latencyMin shortest simulated generation time
 * @param latencyMax longest simulated generation time
 * @param timeout bound on the whole run, start-up included
 * @param seed seeds the simulator's latencies; null = random
 * @param store {@code s3://bucket/prefix}: the worker copies result images there (issue 13); null = off
 * @param storeEndpoint the S3-compatible server of {@code store}; null = AWS S3 (the demo starts none)
 */
public record DemoOptions(int requests, boolean callbacks, Duration latencyMin, Duration latencyMax,
                          Duration timeout, Long seed, String store, String storeEndpoint) {
  public DemoOptions(int requests, boolean callbacks, Duration latencyMin, Duration latencyMax, Duration timeout,
      Long seed) {
    this(requests, callbacks, latencyMin, latencyMax, timeout, seed, null, null);
  }

  public DemoOptions {
    if (store != null && !store.startsWith("s3://")) {
      throw new IllegalArgumentException("--store must look like s3://bucket/prefix: " + store);
    }
    if (requests < 1) {
      throw new IllegalArgumentException("--requests must be at least 1: " + requests);
    }
    if (latencyMin.isNegative() || latencyMax.compareTo(latencyMin) < 0) {
      throw new IllegalArgumentException("--latency must be min..max with 0 <= min <= max");
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("--timeout must be positive");
    }
  }
}
