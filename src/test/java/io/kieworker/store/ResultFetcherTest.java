package io.kieworker.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.kieworker.testing.Await;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The bounded download against a small in-test HTTP server: what is fetched, what is refused, and
 * which failures are worth a retry. The server runs on localhost, allow-listed as "localhost".
 */
class ResultFetcherTest {
  private static final byte[] IMAGE = new byte[5000];
  private final Vertx vertx = Vertx.vertx();
  private HttpServer server;
  private String base;

  static {
    for (int i = 0; i < IMAGE.length; i++) {
      IMAGE[i] = (byte) (i * 31);
    }
  }

  @BeforeEach
  void start() {
    server = Await.result(vertx.createHttpServer().requestHandler(req -> {
      switch (req.path()) {
        case "/ok.png" -> req.response().putHeader("Content-Type", "image/png").end(Buffer.buffer(IMAGE));
        case "/chunked" -> req.response().setChunked(true).putHeader("Content-Type", "image/jpeg")
            .end(Buffer.buffer(IMAGE));
        case "/hop" -> req.response().setStatusCode(302).putHeader("Location", "/ok.png").end();
        case "/to-private" -> req.response().setStatusCode(302)
            .putHeader("Location", "https://127.0.0.1:1/secret.png").end();
        case "/loop" -> req.response().setStatusCode(302).putHeader("Location", "/loop").end();
        case "/busy" -> req.response().setStatusCode(503).end();
        default -> req.response().setStatusCode(404).end();
      }
    }).listen(0, "127.0.0.1"), Duration.ofSeconds(10));
    base = "http://localhost:" + server.actualPort();
  }

  @AfterEach
  void stop() {
    Await.result(vertx.close(), Duration.ofSeconds(10));
  }

  private ResultFetcher fetcher(long maxBytes) {
    return new ResultFetcher(vertx, Set.of("localhost"), maxBytes);
  }

  @Test
  void anImageIsStreamedToAFileWithItsLengthChecksumAndType() throws Exception {
    for (String path : new String[] {"/ok.png", "/chunked", "/hop"}) {
      ResultFetcher.Fetched fetched = fetch(fetcher(1 << 20), base + path).join();
      assertThat(Files.readAllBytes(fetched.file())).as(path).isEqualTo(IMAGE);
      assertThat(fetched.bytes()).isEqualTo(IMAGE.length);
      assertThat(fetched.sha256()).isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(IMAGE)));
      assertThat(fetched.contentType()).isEqualTo(path.equals("/chunked") ? "image/jpeg" : "image/png");
      Files.delete(fetched.file());
    }
  }

  @Test
  void refusedAndFailedFetchesSayWhyAndWhetherARetryCanHelp() {
    assertFailure(fetcher(1 << 20), "http://127.0.0.1:" + server.actualPort() + "/ok.png",
        StoreFailure.FETCH_REFUSED, false, "only https");
    assertFailure(fetcher(1 << 20), base + "/to-private", StoreFailure.FETCH_REFUSED, false, "non-public address");
    assertFailure(fetcher(1 << 20), base + "/loop", StoreFailure.FETCH_REFUSED, false, "redirects");
    assertFailure(fetcher(1 << 20), "https://user:pw@example.com/x.png", StoreFailure.FETCH_REFUSED, false,
        "without credentials");
    assertFailure(fetcher(1000), base + "/ok.png", StoreFailure.TOO_LARGE, false, "larger than 1000 bytes");
    assertFailure(fetcher(1000), base + "/chunked", StoreFailure.TOO_LARGE, false, "larger than 1000 bytes");
    assertFailure(fetcher(1 << 20), base + "/gone.png", StoreFailure.FETCH_FAILED, false, "HTTP 404");
    assertFailure(fetcher(1 << 20), base + "/busy", StoreFailure.FETCH_FAILED, true, "HTTP 503");
  }

  private void assertFailure(ResultFetcher fetcher, String url, String code, boolean retry, String says) {
    Throwable e = fetch(fetcher, url).handle((ok, err) -> err).join();
    assertThat(e).as(url).isInstanceOf(StoreFailure.class);
    StoreFailure f = (StoreFailure) e;
    assertThat(f.code()).as(url).isEqualTo(code);
    assertThat(f.isTransient()).as(url).isEqualTo(retry);
    assertThat(f.getMessage()).as(url).contains(says);
  }

  /** Runs the fetch on a Vert.x context, as the worker does. */
  private CompletableFuture<ResultFetcher.Fetched> fetch(ResultFetcher fetcher, String url) {
    CompletableFuture<ResultFetcher.Fetched> done = new CompletableFuture<>();
    vertx.runOnContext(v -> {
      Future<ResultFetcher.Fetched> f = fetcher.fetch(url);
      f.onSuccess(done::complete).onFailure(done::completeExceptionally);
    });
    return done.orTimeout(30, java.util.concurrent.TimeUnit.SECONDS);
  }
}
