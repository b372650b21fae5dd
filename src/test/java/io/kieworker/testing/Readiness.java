package io.kieworker.testing;

import io.kieworker.worker.WorkerApp;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The status code of a worker's {@code GET /health/ready}, within 5 s. */
public final class Readiness {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private Readiness() {}

  public static int status(WorkerApp worker) {
    try {
      HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + worker.httpPort() + "/health/ready")).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString());
      return response.statusCode();
    } catch (Exception e) {
      throw new AssertionError("GET /health/ready failed", e);
    }
  }
}
