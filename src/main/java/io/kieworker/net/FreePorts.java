package io.kieworker.net;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports to hand to a server that binds them later (a worker's HTTP port in a child JVM, a broker
 * that restarts on the same ports). Chosen below Linux's ephemeral range (32768-60999 by default)
 * and probed free on every interface: a port asked from the kernel with {@code new ServerSocket(0)}
 * comes from the ephemeral range, where any outgoing connection (a Kafka client reconnecting, an
 * HTTP pool) may take it between the probe and the real bind.
 */
public final class FreePorts {
  private static final int FROM = 20_000;
  private static final int TO = 32_000;
  private static final int ATTEMPTS = 200;

  private FreePorts() {}

  /** A port nobody listens on now, other than {@code taken}. */
  public static int pick(int... taken) {
    return pickIn(FROM, TO, taken);
  }

  /** A free port in {@code [from, to)}, other than {@code taken}. */
  static int pickIn(int from, int to, int... taken) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      int port = random.nextInt(from, to);
      if (Arrays.stream(taken).noneMatch(t -> t == port) && bindable(port)) {
        return port;
      }
    }
    throw new IllegalStateException("no free port in " + from + "-" + (to - 1) + " after " + ATTEMPTS + " attempts");
  }

  private static boolean bindable(int port) {
    try (ServerSocket socket = new ServerSocket(port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
