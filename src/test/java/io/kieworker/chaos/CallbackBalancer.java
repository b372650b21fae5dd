package io.kieworker.chaos;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.kieworker.callback.WebhookSignature;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * What a Kubernetes Service in front of the workers does for Kie.ai's callbacks: one stable
 * {@code KIE_CALLBACK_BASE_URL} for the whole group, each POST forwarded to a live instance (round
 * robin, the next one on a refused connection). Without it, the callbacks of a task created by a
 * worker that was killed would go to a dead port. It also keeps the callbacks it delivered, so the
 * test can replay them. Runs on its own small thread pool (blocking I/O is fine here: no event loop).
 */
final class CallbackBalancer implements AutoCloseable {
  /** A callback as Kie.ai sent it, answered 200 by a worker. */
  record Delivered(String requestId, String pathAndQuery, byte[] body, Map<String, String> headers) {}

  private static final int KEEP = 500;
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
  private final Supplier<List<WorkerProcess>> workers;
  private final ExecutorService pool = Executors.newFixedThreadPool(8);
  private final HttpServer server;
  private final AtomicInteger next = new AtomicInteger();
  final List<Delivered> delivered = new CopyOnWriteArrayList<>();
  final AtomicInteger forwarded = new AtomicInteger();
  final AtomicInteger unavailable = new AtomicInteger();

  CallbackBalancer(Supplier<List<WorkerProcess>> workers) throws IOException {
    this.workers = workers;
    this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
    server.createContext("/callbacks/", this::forward);
    server.setExecutor(pool);
    server.start();
  }

  String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  private void forward(HttpExchange exchange) throws IOException {
    byte[] body;
    try (InputStream in = exchange.getRequestBody()) {
      body = in.readAllBytes();
    }
    String pathAndQuery = exchange.getRequestURI().getRawPath()
        + (exchange.getRequestURI().getRawQuery() == null ? "" : "?" + exchange.getRequestURI().getRawQuery());
    Map<String, String> headers = new LinkedHashMap<>();
    for (String name : List.of("Content-Type", WebhookSignature.TIMESTAMP_HEADER, WebhookSignature.SIGNATURE_HEADER)) {
      String value = exchange.getRequestHeaders().getFirst(name);
      if (value != null) {
        headers.put(name, value);
      }
    }
    List<WorkerProcess> live = new ArrayList<>(workers.get());
    int start = Math.floorMod(next.getAndIncrement(), Math.max(1, live.size()));
    for (int i = 0; i < live.size(); i++) {
      WorkerProcess target = live.get((start + i) % live.size());
      HttpResponse<byte[]> response = post(target.port, pathAndQuery, body, headers);
      if (response != null) {
        forwarded.incrementAndGet();
        if (response.statusCode() == 200 && delivered.size() < KEEP) {
          delivered.add(new Delivered(requestIdOf(pathAndQuery), pathAndQuery, body, headers));
        }
        reply(exchange, response.statusCode(), response.body());
        return;
      }
    }
    unavailable.incrementAndGet();
    reply(exchange, 503, "{\"code\":503,\"msg\":\"no worker\"}".getBytes(StandardCharsets.UTF_8));
  }

  /** POSTs to one worker; null when it could not be reached. */
  HttpResponse<byte[]> post(int port, String pathAndQuery, byte[] body, Map<String, String> headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
        .timeout(Duration.ofSeconds(5))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    headers.forEach(request::header);
    try {
      return client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private static void reply(HttpExchange exchange, int status, byte[] body) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      exchange.getResponseBody().write(body);
    }
    exchange.close();
  }

  /** {@code /callbacks/kie/<partition>/<requestId>?attempt=…&token=…} → requestId. */
  static String requestIdOf(String pathAndQuery) {
    String path = pathAndQuery.contains("?") ? pathAndQuery.substring(0, pathAndQuery.indexOf('?')) : pathAndQuery;
    return URLDecoder.decode(path.substring(path.lastIndexOf('/') + 1), StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    server.stop(0);
    pool.shutdownNow();
  }
}
