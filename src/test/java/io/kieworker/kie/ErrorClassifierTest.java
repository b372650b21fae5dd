package io.kieworker.kie;

import static io.kieworker.kie.ErrorClassifier.Call.CREATE;
import static io.kieworker.kie.ErrorClassifier.Call.SAFE;
import static org.assertj.core.api.Assertions.assertThat;

import io.kieworker.kie.ErrorClassifier.Call;
import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ErrorClassifierTest {

  @ParameterizedTest(name = "body code {0} on {1} -> {2}")
  @CsvSource({
    "400, CREATE, PERMANENT", "400, SAFE, PERMANENT",
    "401, CREATE, AUTH", "401, SAFE, AUTH",
    "402, CREATE, CREDITS", "402, SAFE, CREDITS",
    "404, CREATE, PERMANENT", "404, SAFE, NOT_FOUND",
    "408, CREATE, PERMANENT",
    "422, CREATE, PERMANENT", "422, SAFE, PERMANENT",
    "429, CREATE, RATE_LIMITED", "429, SAFE, RATE_LIMITED",
    "433, CREATE, QUOTA", "433, SAFE, QUOTA",
    "455, CREATE, TRANSIENT", "455, SAFE, TRANSIENT",
    "500, CREATE, TRANSIENT", "500, SAFE, TRANSIENT",
    "501, CREATE, PERMANENT", "501, SAFE, PERMANENT",
    "502, CREATE, TRANSIENT", "503, CREATE, TRANSIENT",
    "504, CREATE, TRANSIENT", "504, SAFE, TRANSIENT",
    "505, CREATE, PERMANENT", "505, SAFE, PERMANENT",
    "418, CREATE, PERMANENT", "599, SAFE, TRANSIENT",
  })
  void bodyCodeOnHttp200(int code, Call call, ErrorClass expected) {
    KieError error = ErrorClassifier.classify(call, 200, code, "from Kie", null);
    assertThat(error.errorClass()).isEqualTo(expected);
    assertThat(error.code()).isEqualTo(Integer.toString(code));
    assertThat(error.message()).isEqualTo("from Kie");
    assertThat(error.httpStatus()).isEqualTo(200);
  }

  @ParameterizedTest(name = "HTTP {0} without body code on {1} -> {2}")
  @CsvSource({
    "400, CREATE, PERMANENT", "401, SAFE, AUTH", "402, CREATE, CREDITS", "403, CREATE, PERMANENT",
    "404, CREATE, PERMANENT", "404, SAFE, NOT_FOUND", "422, SAFE, PERMANENT", "429, CREATE, RATE_LIMITED",
    "455, SAFE, TRANSIENT", "500, CREATE, TRANSIENT", "502, SAFE, TRANSIENT", "503, CREATE, TRANSIENT",
    // A gateway timeout may hide a create that went through upstream.
    "504, CREATE, AMBIGUOUS", "504, SAFE, TRANSIENT",
  })
  void httpStatusWithoutBodyCode(int status, Call call, ErrorClass expected) {
    KieError error = ErrorClassifier.classify(call, status, null, null, null);
    assertThat(error.errorClass()).isEqualTo(expected);
    assertThat(error.code()).isEqualTo(Integer.toString(status));
    assertThat(error.message()).isNotBlank();
  }

  @Test
  void bodyCodeWinsOverHttpStatus() {
    KieError error = ErrorClassifier.classify(CREATE, 500, 402, "no credits", null);
    assertThat(error.errorClass()).isEqualTo(ErrorClass.CREDITS);
    assertThat(error.code()).isEqualTo("402");
    assertThat(error.httpStatus()).isEqualTo(500);
  }

  @Test
  void nonOkHttpStatusWinsOverBodyCode200() {
    assertThat(ErrorClassifier.classify(SAFE, 429, 200, null, null).errorClass())
        .isEqualTo(ErrorClass.RATE_LIMITED);
  }

  @Test
  void successNeedsHttp2xxAndBodyCode200() {
    assertThat(ErrorClassifier.classify(CREATE, 200, 200, "success", null)).isNull();
    assertThat(ErrorClassifier.classify(SAFE, 204, 200, "success", null)).isNull();
  }

  @Test
  void unreadableAnswerToCreateIsAmbiguousButToReadIsTransient() {
    assertThat(ErrorClassifier.classify(CREATE, 200, null, null, null).errorClass())
        .isEqualTo(ErrorClass.AMBIGUOUS);
    assertThat(ErrorClassifier.classify(SAFE, 200, null, null, null).errorClass())
        .isEqualTo(ErrorClass.TRANSIENT);
  }

  @Test
  void retryAfterIsKept() {
    KieError error = ErrorClassifier.classify(CREATE, 429, 429, "slow down", Duration.ofSeconds(7));
    assertThat(error.retryAfter()).isEqualTo(Duration.ofSeconds(7));
    assertThat(error.retryable()).isTrue();
  }

  @Test
  void timeoutBeforeSendIsTransientForCreate() {
    KieError error = ErrorClassifier.transportFailure(CREATE, new TimeoutException("connect"), false);
    assertThat(error.errorClass()).isEqualTo(ErrorClass.TRANSIENT);
    assertThat(error.code()).isEqualTo("TIMEOUT");
    assertThat(error.httpStatus()).isZero();
  }

  @Test
  void timeoutAfterSendIsAmbiguousForCreate() {
    KieError error = ErrorClassifier.transportFailure(CREATE, new TimeoutException("no answer"), true);
    assertThat(error.errorClass()).isEqualTo(ErrorClass.AMBIGUOUS);
    assertThat(error.retryable()).isFalse();
    assertThat(error.message()).contains("after the request was sent");
  }

  @Test
  void timeoutAfterSendIsTransientForRead() {
    assertThat(ErrorClassifier.transportFailure(SAFE, new TimeoutException("x"), true).errorClass())
        .isEqualTo(ErrorClass.TRANSIENT);
  }

  @Test
  void connectionRefusedIsTransient() {
    KieError error = ErrorClassifier.transportFailure(CREATE, new ConnectException("Connection refused"), false);
    assertThat(error.errorClass()).isEqualTo(ErrorClass.TRANSIENT);
    assertThat(error.code()).isEqualTo("CONNECTION");
  }

  @Test
  void connectionResetAfterSendIsAmbiguousForCreate() {
    KieError error = ErrorClassifier.transportFailure(CREATE, new java.io.IOException("Connection reset"), true);
    assertThat(error.errorClass()).isEqualTo(ErrorClass.AMBIGUOUS);
    assertThat(error.code()).isEqualTo("CONNECTION");
  }

  @Test
  void onlyRateLimitAndTransientAreRetryable() {
    for (ErrorClass c : ErrorClass.values()) {
      assertThat(c.retryable()).as(c.name())
          .isEqualTo(c == ErrorClass.RATE_LIMITED || c == ErrorClass.TRANSIENT);
    }
  }
}
