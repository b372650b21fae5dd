package io.kieworker.callback;

import static org.assertj.core.api.Assertions.assertThat;

import io.kieworker.callback.WebhookSignature.Verdict;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class WebhookSignatureTest {
  private static final Instant NOW = Instant.ofEpochSecond(1_765_000_000L);
  private final WebhookSignature signer = new WebhookSignature("account-hmac-key");

  @Test
  void matchesAnIndependentlyComputedHmac() throws Exception {
    javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
    mac.init(new javax.crypto.spec.SecretKeySpec("account-hmac-key".getBytes(), "HmacSHA256"));
    String expected = java.util.Base64.getEncoder().encodeToString(mac.doFinal("task-1.1765000000".getBytes()));
    assertThat(signer.sign("task-1", 1_765_000_000L)).isEqualTo(expected);
  }

  @Test
  void goodSignatureIsValid() {
    String sig = signer.sign("task-1", NOW.getEpochSecond());
    assertThat(signer.verify("task-1", Long.toString(NOW.getEpochSecond()), sig, NOW)).isEqualTo(Verdict.VALID);
  }

  @Test
  void withinTheWindowEitherWay() {
    long ts = NOW.getEpochSecond() - 299;
    assertThat(signer.verify("task-1", Long.toString(ts), signer.sign("task-1", ts), NOW)).isEqualTo(Verdict.VALID);
    long future = NOW.getEpochSecond() + 299;
    assertThat(signer.verify("task-1", Long.toString(future), signer.sign("task-1", future), NOW))
        .isEqualTo(Verdict.VALID);
  }

  @Test
  void wrongKeyIsAMismatch() {
    String sig = new WebhookSignature("other-key").sign("task-1", NOW.getEpochSecond());
    assertThat(signer.verify("task-1", Long.toString(NOW.getEpochSecond()), sig, NOW)).isEqualTo(Verdict.MISMATCH);
  }

  @Test
  void staleTimestampIsRefusedEvenWithAGoodSignature() {
    long old = NOW.getEpochSecond() - 301;
    assertThat(signer.verify("task-1", Long.toString(old), signer.sign("task-1", old), NOW)).isEqualTo(Verdict.STALE);
  }

  @Test
  void missingHeaders() {
    assertThat(signer.verify("task-1", null, "abc", NOW)).isEqualTo(Verdict.MISSING);
    assertThat(signer.verify("task-1", "123", "", NOW)).isEqualTo(Verdict.MISSING);
    assertThat(signer.verify(null, "123", "abc", NOW)).isEqualTo(Verdict.MISSING);
  }

  @Test
  void tamperedTaskIdIsAMismatch() {
    String sig = signer.sign("task-1", NOW.getEpochSecond());
    assertThat(signer.verify("task-2", Long.toString(NOW.getEpochSecond()), sig, NOW)).isEqualTo(Verdict.MISMATCH);
  }

  @Test
  void malformedHeaders() {
    assertThat(signer.verify("task-1", "yesterday", "abc", NOW)).isEqualTo(Verdict.MALFORMED);
    assertThat(signer.verify("task-1", Long.toString(NOW.getEpochSecond()), "%%%not-base64", NOW))
        .isEqualTo(Verdict.MALFORMED);
  }

  @Test
  void keyNeverShowsInToString() {
    assertThat(signer.toString()).doesNotContain("account-hmac-key");
  }
}
