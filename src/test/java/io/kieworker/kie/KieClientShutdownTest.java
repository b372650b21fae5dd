package io.kieworker.kie;

import static org.assertj.core.api.Assertions.assertThat;

import io.kieworker.testing.Await;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Issue 9 item 17: once shutdown began, a create the client would repeat is not sent again. */
@Tag("unit")
class KieClientShutdownTest {
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    vertx.close();
  }

  @Test
  void aCreateThatNeverLeftIsNotRetriedAfterShutdownBegan() throws IOException {
    int closedPort;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = probe.getLocalPort();
    }
    AtomicReference<KieClient> client = new AtomicReference<>();
    AtomicInteger retries = new AtomicInteger();
    // The policy draws one random number per retry it schedules: shutdown begins at the first one,
    // after the first attempt failed to connect and before the retry goes out.
    RetryPolicy policy = new RetryPolicy(3, Duration.ofMillis(10), Duration.ofMillis(40), () -> {
      retries.incrementAndGet();
      client.get().stopCreateRetries();
      return 0.5;
    });
    String base = "http://127.0.0.1:" + closedPort;
    client.set(new KieClient(vertx, KieClientOptions.builder().baseUrl(base).uploadBaseUrl(base)
        .apiKey("shutdown-test-key-0123456789").connectTimeout(Duration.ofMillis(500))
        .requestTimeout(Duration.ofSeconds(2)).retryPolicy(policy).build()));

    KieResult<String> r = Await.result(vertx.getOrCreateContext().<KieResult<String>>executeBlocking(() -> null)
        .compose(v -> client.get().createTask("google/nano-banana", new JsonObject().put("prompt", "x"), null)));

    assertThat(r.error().code()).as(r.toString()).isEqualTo("SHUTDOWN");
    assertThat(r.errorClass()).isEqualTo(ErrorClass.TRANSIENT);
    assertThat(r.error().httpStatus()).isZero();
    assertThat(retries).as("one retry was scheduled, none sent, no further one").hasValue(1);
  }
}
