package io.kieworker.kie;

import static org.assertj.core.api.Assertions.assertThat;

import io.kieworker.kie.ErrorClassifier.Call;
import io.vertx.core.buffer.Buffer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class KieClientInterpretTest {

  @Test
  void http200WithErrorBodyCodeIsAnError() {
    KieResult<?> r = KieClient.interpret(Call.CREATE, 200,
        null, Buffer.buffer("{\"code\":422,\"msg\":\"prompt is required\",\"data\":null}"), false);
    assertThat(r.errorClass()).isEqualTo(ErrorClass.PERMANENT);
    assertThat(r.error().message()).isEqualTo("prompt is required");
  }

  @Test
  void http429WithRetryAfterSeconds() {
    KieResult<?> r = KieClient.interpret(Call.CREATE, 429, "3", Buffer.buffer("{\"code\":429,\"msg\":\"rate\"}"), false);
    assertThat(r.errorClass()).isEqualTo(ErrorClass.RATE_LIMITED);
    assertThat(r.error().retryAfter()).isEqualTo(Duration.ofSeconds(3));
  }

  @Test
  void htmlGatewayPageIsClassifiedByStatus() {
    KieResult<?> r = KieClient.interpret(Call.SAFE, 502, null, Buffer.buffer("<html>Bad gateway</html>"), false);
    assertThat(r.errorClass()).isEqualTo(ErrorClass.TRANSIENT);
    assertThat(r.error().code()).isEqualTo("502");
  }

  @Test
  void flatLegacyAnswerIsAcceptedOnlyWhereAllowed() {
    Buffer flat = Buffer.buffer("{\"taskId\":\"a\",\"successFlag\":0}");
    assertThat(KieClient.interpret(Call.SAFE, 200, null, flat, true).isOk()).isTrue();
    assertThat(KieClient.interpret(Call.SAFE, 200, null, flat, false).errorClass())
        .isEqualTo(ErrorClass.TRANSIENT);
  }

  @Test
  void longMessagesAreCut() {
    String msg = "x".repeat(1000);
    KieResult<?> r = KieClient.interpret(Call.SAFE, 200, null,
        Buffer.buffer("{\"code\":500,\"msg\":\"" + msg + "\"}"), false);
    assertThat(r.error().message().length()).isLessThan(310);
  }

  @Test
  void retryAfterAsHttpDateOrGarbage() {
    assertThat(KieClient.parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT")).isEqualTo(Duration.ZERO);
    assertThat(KieClient.parseRetryAfter("soon")).isNull();
    assertThat(KieClient.parseRetryAfter(null)).isNull();
  }
}
