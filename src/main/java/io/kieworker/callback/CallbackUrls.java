package io.kieworker.callback;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * The callback route's address, in one place: the pattern the HTTP server mounts
 * ({@link CallbackRoute} reads its parameters) and the URLs given to Kie.ai for it.
 */
public final class CallbackUrls {
  /** The route pattern mounted by the HTTP server. */
  public static final String ROUTE = "/callbacks/kie/:partition/:requestId";
  static final String ATTEMPT_PARAM = "attempt";
  static final String TOKEN_PARAM = "token";

  private CallbackUrls() {}

  /**
   * The callback URL given to Kie.ai for one attempt of a request:
   * {@code <base>/callbacks/kie/<partition>/<requestId>?attempt=<n>&token=<token of (requestId, n)>}.
   */
  public static String url(String baseUrl, int partition, String requestId, int attempt, CallbackToken token) {
    return baseUrl + "/callbacks/kie/" + partition + "/"
        + URLEncoder.encode(requestId, StandardCharsets.UTF_8).replace("+", "%20")
        + "?" + ATTEMPT_PARAM + "=" + attempt + "&" + TOKEN_PARAM + "=" + token.token(requestId, attempt);
  }
}
