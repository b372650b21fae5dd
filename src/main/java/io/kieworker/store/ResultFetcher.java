package io.kieworker.store;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;

/**
 * Downloads one result image into a temporary file, computing its SHA-256 on the way, so the image
 * is never held in memory and the upload knows its length and checksum before it starts (S3 wants
 * both in the request headers).
 *
 * <p>The URL comes from a Kie.ai response body, so it is untrusted: only {@code https} (plain
 * {@code http} only for allow-listed hosts), at most {@value #MAX_REDIRECTS} redirects, each hop's
 * host resolved here and refused when any address is loopback, private, link-local or otherwise
 * not public (unless the host is allow-listed); the connection then goes to the address checked,
 * so a DNS answer cannot change between the check and the connect. Bounded in size and time.
 *
 * <p>Threading: call on a Vert.x context; the returned future completes there. DNS look-ups run on
 * a worker thread (they block).
 */
public final class ResultFetcher {
  static final int MAX_REDIRECTS = 3;
  /** One download's whole budget: a 50 MB image at ~2 MB/s, far above a normal 1-10 MB image. */
  static final Duration FETCH_TIMEOUT = Duration.ofSeconds(60);
  private static final long CONNECT_TIMEOUT_MS = 10_000;
  private static final long IDLE_TIMEOUT_MS = 20_000;

  /** A downloaded image: delete {@link #file} when done with it. */
  public record Fetched(Path file, long bytes, String sha256, String contentType, String extension) {}

  private final Vertx vertx;
  private final HttpClient http;
  private final Set<String> allowHttp;
  private final long maxBytes;

  public ResultFetcher(Vertx vertx, Set<String> allowHttp, long maxBytes) {
    this.vertx = vertx;
    this.allowHttp = allowHttp;
    this.maxBytes = maxBytes;
    this.http = vertx.createHttpClient(new HttpClientOptions()
        .setConnectTimeout((int) CONNECT_TIMEOUT_MS)
        .setDecompressionSupported(false));
  }

  public Future<Fetched> fetch(String url) {
    long deadline = System.currentTimeMillis() + FETCH_TIMEOUT.toMillis();
    return parse(url).compose(uri -> hop(uri, 0, deadline));
  }

  public Future<Void> close() {
    return http.close();
  }

  private Future<Fetched> hop(URI uri, int redirects, long deadline) {
    String host = uri.getHost().toLowerCase(Locale.ROOT);
    boolean allowed = allowed(uri);
    String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("https") && !(scheme.equals("http") && allowed)) {
      return refused("only https result URLs are fetched (" + scheme + "://" + host
          + " is not in WORKER_RESULT_FETCH_ALLOW_HTTP)");
    }
    int port = uri.getPort() > 0 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
    return vertx.executeBlocking(() -> InetAddress.getAllByName(host), false)
        .recover(e -> Future.failedFuture(e instanceof UnknownHostException
            ? new StoreFailure(StoreFailure.FETCH_FAILED, "result URL host " + host + " does not resolve", true)
            : e))
        .compose(addresses -> {
          if (!allowed) {
            for (InetAddress a : addresses) {
              if (!isPublic(a)) {
                return refused("result URL host " + host + " resolves to a non-public address");
              }
            }
          }
          return request(uri, SocketAddress.inetSocketAddress(port, addresses[0].getHostAddress()), scheme, port,
              redirects, deadline);
        });
  }

  private Future<Fetched> request(URI uri, SocketAddress server, String scheme, int port, int redirects,
      long deadline) {
    long left = deadline - System.currentTimeMillis();
    if (left <= 0) {
      return Future.failedFuture(failed("timed out after " + FETCH_TIMEOUT.toSeconds() + " s", true));
    }
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    RequestOptions options = new RequestOptions()
        .setMethod(HttpMethod.GET)
        .setServer(server)
        .setHost(uri.getHost())
        .setPort(port)
        .setSsl(scheme.equals("https"))
        .setURI(uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery())
        .setFollowRedirects(false)
        .setConnectTimeout(Math.min(CONNECT_TIMEOUT_MS, left))
        .setIdleTimeout(IDLE_TIMEOUT_MS)
        .putHeader(HttpHeaders.ACCEPT, "image/*")
        .putHeader(HttpHeaders.USER_AGENT, "kie-worker-result-store");
    return http.request(options)
        .recover(e -> Future.failedFuture(failed("cannot connect to " + uri.getHost() + ": " + e.getMessage(), true)))
        .compose(req -> req.send()
            .recover(e -> Future.failedFuture(failed("request to " + uri.getHost() + " failed: " + e.getMessage(), true)))
            .compose(response -> onResponse(uri, req, response, redirects, deadline)));
  }

  private Future<Fetched> onResponse(URI uri, HttpClientRequest req, HttpClientResponse response, int redirects,
      long deadline) {
    int status = response.statusCode();
    if (status >= 300 && status < 400 && response.getHeader(HttpHeaders.LOCATION) != null) {
      abandon(req, response);
      if (redirects >= MAX_REDIRECTS) {
        return refused("more than " + MAX_REDIRECTS + " redirects");
      }
      return resolve(uri, response.getHeader(HttpHeaders.LOCATION))
          .compose(next -> hop(next, redirects + 1, deadline));
    }
    if (status != 200) {
      abandon(req, response);
      // 5xx and 429 may pass; anything else (403/404/410: an expired link) will not.
      boolean retry = status >= 500 || status == 429 || status == 408;
      return Future.failedFuture(failed("HTTP " + status + " from " + uri.getHost(), retry));
    }
    String length = response.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length != null && parseLong(length) > maxBytes) {
      abandon(req, response);
      return Future.failedFuture(tooLarge());
    }
    String contentType = contentType(response.getHeader(HttpHeaders.CONTENT_TYPE), uri.getPath());
    response.pause(); // until the file is open: a small body would otherwise end before its handlers exist
    return vertx.fileSystem().createTempFile("kie-store-", ".part")
        .compose(file -> vertx.fileSystem().open(file, new OpenOptions().setWrite(true).setTruncateExisting(true))
            .compose(out -> stream(req, response, out, Path.of(file), deadline))
            .map(done -> new Fetched(Path.of(file), done.bytes, done.sha256, contentType, extension(contentType)))
            .onFailure(e -> {
              abandon(req, response);
              vertx.fileSystem().delete(file);
            }));
  }

  private record Streamed(long bytes, String sha256) {}

  /** Response body → file with backpressure, hashing and counting each chunk. */
  private Future<Streamed> stream(HttpClientRequest req, HttpClientResponse response, AsyncFile out, Path file,
      long deadline) {
    Promise<Streamed> done = Promise.promise();
    MessageDigest digest = StoreKey.sha256();
    long[] bytes = {0};
    long timer = vertx.setTimer(Math.max(1, deadline - System.currentTimeMillis()), id -> {
      if (done.tryFail(failed("timed out after " + FETCH_TIMEOUT.toSeconds() + " s", true))) {
        abandon(req, response);
      }
    });
    response.handler(chunk -> {
      if (done.future().isComplete()) {
        return; // failed (too large, timed out): the rest is dropped with the connection
      }
      bytes[0] += chunk.length();
      if (bytes[0] > maxBytes) {
        if (done.tryFail(tooLarge())) {
          abandon(req, response);
        }
        return;
      }
      digest.update(chunk.getBytes());
      out.write(chunk);
      if (out.writeQueueFull()) {
        response.pause();
        out.drainHandler(v -> response.resume());
      }
    });
    response.exceptionHandler(e -> done.tryFail(failed("download interrupted: " + e.getMessage(), true)));
    response.endHandler(v -> {
      if (done.future().isComplete()) {
        return;
      }
      out.flush().onComplete(ar -> done.tryComplete(new Streamed(bytes[0], HexFormat.of().formatHex(digest.digest()))));
    });
    response.resume();
    return done.future().eventually(() -> {
      vertx.cancelTimer(timer);
      return out.close();
    });
  }

  /** Drops a response not wanted (or no longer): the connection is closed, its reset expected. */
  private static void abandon(HttpClientRequest req, HttpClientResponse response) {
    response.exceptionHandler(e -> { });
    req.reset();
  }

  private boolean allowed(URI uri) {
    String host = uri.getHost().toLowerCase(Locale.ROOT);
    return allowHttp.contains(host) || (uri.getPort() > 0 && allowHttp.contains(host + ":" + uri.getPort()));
  }

  /** Not loopback, private (RFC 1918, fc00::/7), link-local, CGNAT, unspecified or multicast. */
  static boolean isPublic(InetAddress a) {
    if (a.isLoopbackAddress() || a.isSiteLocalAddress() || a.isLinkLocalAddress() || a.isAnyLocalAddress()
        || a.isMulticastAddress()) {
      return false;
    }
    byte[] b = a.getAddress();
    if (a instanceof Inet4Address) {
      int first = b[0] & 0xff;
      int second = b[1] & 0xff;
      return first != 0 && !(first == 100 && second >= 64 && second < 128) && first < 240;
    }
    return !(a instanceof Inet6Address) || (b[0] & 0xfe) != 0xfc;
  }

  private Future<URI> parse(String url) {
    try {
      URI uri = new URI(url);
      if (uri.getScheme() == null || uri.getHost() == null || uri.getRawUserInfo() != null) {
        return refused("result URL is not an absolute http(s) URL without credentials");
      }
      return Future.succeededFuture(uri);
    } catch (URISyntaxException e) {
      return refused("result URL is malformed");
    }
  }

  private Future<URI> resolve(URI base, String location) {
    try {
      return parse(base.resolve(new URI(location)).toString());
    } catch (URISyntaxException | IllegalArgumentException e) {
      return refused("redirect Location is malformed");
    }
  }

  /** The response's image type, else one guessed from the URL's extension, else octet-stream. */
  static String contentType(String header, String path) {
    String type = header == null ? "" : header.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    if (type.startsWith("image/")) {
      return type;
    }
    String lower = path == null ? "" : path.toLowerCase(Locale.ROOT);
    if (lower.endsWith(".png")) {
      return "image/png";
    }
    if (lower.endsWith(".jpg") || lower.endsWith(".jpeg")) {
      return "image/jpeg";
    }
    if (lower.endsWith(".webp")) {
      return "image/webp";
    }
    return "application/octet-stream";
  }

  static String extension(String contentType) {
    return switch (contentType) {
      case "image/png" -> "png";
      case "image/jpeg", "image/jpg" -> "jpg";
      case "image/webp" -> "webp";
      case "image/gif" -> "gif";
      default -> "bin";
    };
  }

  private static long parseLong(String text) {
    try {
      return Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private StoreFailure tooLarge() {
    return new StoreFailure(StoreFailure.TOO_LARGE, "result image is larger than " + maxBytes + " bytes", false);
  }

  private static StoreFailure failed(String message, boolean retry) {
    return new StoreFailure(StoreFailure.FETCH_FAILED, "downloading the result image: " + message, retry);
  }

  private static <T> Future<T> refused(String message) {
    return Future.failedFuture(new StoreFailure(StoreFailure.FETCH_REFUSED, message, false));
  }

}
