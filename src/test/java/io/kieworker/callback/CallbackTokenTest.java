package io.kieworker.callback;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Callback URL tokens bound to (request, attempt), and the URLs built from them. */
@Tag("unit")
class CallbackTokenTest {
  private final CallbackToken token = new CallbackToken("group-secret");

  @Test
  void aTokenIsGoodForItsRequestAndAttemptOnly() {
    String first = token.token("r-1", 1);
    assertThat(token.verify("r-1", 1, first)).isTrue();
    assertThat(token.verify("r-1", 2, first)).as("another attempt").isFalse();
    assertThat(token.verify("r-2", 1, first)).as("another request").isFalse();
    assertThat(token.token("r-1", 2)).isNotEqualTo(first);
    assertThat(token.verify("r-1", 0, first)).as("no attempt 0").isFalse();
    assertThat(new CallbackToken("other-secret").verify("r-1", 1, first)).as("another group's secret").isFalse();
  }

  @Test
  void unboundTokensOfOlderUrlsStillVerifyButNeverPassForABoundOne() {
    String unbound = token.unboundToken("r-1");
    assertThat(token.verifyUnbound("r-1", unbound)).isTrue();
    assertThat(token.verify("r-1", 1, unbound)).isFalse();
    assertThat(token.verifyUnbound("r-1", token.token("r-1", 1))).isFalse();
    // The separator is a NUL: only an id holding one could collide, and the request parser refuses
    // control characters in ids, so no accepted id's unbound token is a bound one.
    assertThat(token.unboundToken("r-1\u00001")).isEqualTo(token.token("r-1", 1));
    assertThat(token.unboundToken("r-1" + "1")).isNotEqualTo(token.token("r-1", 1));
  }

  @Test
  void malformedTokensAreRefusedNotThrown() {
    assertThat(token.verify("r-1", 1, null)).isFalse();
    assertThat(token.verify("r-1", 1, "")).isFalse();
    assertThat(token.verify("r-1", 1, "%%%not-base64")).isFalse();
    assertThat(token.verify(null, 1, token.token("r-1", 1))).isFalse();
    assertThat(token.verifyUnbound("r-1", "!!")).isFalse();
    assertThat(token.toString()).doesNotContain("group-secret");
  }

  @Test
  void theCallbackUrlCarriesPartitionEncodedIdAttemptAndItsToken() {
    String url = CallbackUrls.url("https://w.example", 3, "order 7/é", 2, token);
    URI uri = URI.create(url);
    assertThat(uri.getRawPath()).isEqualTo("/callbacks/kie/3/order%207%2F%C3%A9");
    Map<String, String> query = new HashMap<>();
    for (String pair : uri.getRawQuery().split("&")) {
      String[] kv = pair.split("=", 2);
      query.put(kv[0], URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
    }
    assertThat(query).containsOnlyKeys(CallbackUrls.ATTEMPT_PARAM, CallbackUrls.TOKEN_PARAM).containsEntry("attempt", "2");
    assertThat(token.verify("order 7/é", 2, query.get("token"))).isTrue();
    assertThat(query.get("token")).as("base64url: nothing to escape").matches("[A-Za-z0-9_-]+");
  }
}
