package io.kieworker.callback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kieworker.callback.KieCallback.InvalidCallbackException;
import io.kieworker.kie.TaskState;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

class KieCallbackTest {

  @Test
  void parsesAMarketSuccess() throws Exception {
    KieCallback cb = KieCallback.parse(Buffer.buffer("{\"code\":200,\"msg\":\"success\",\"data\":{"
        + "\"taskId\":\"t1\",\"model\":\"nano-banana-pro\",\"state\":\"success\","
        + "\"resultJson\":\"{\\\"resultUrls\\\":[\\\"https://x/y.png\\\"]}\"}}"));
    assertThat(cb.taskId()).isEqualTo("t1");
    assertThat(cb.reportsSuccess()).isTrue();
    assertThat(cb.record().state()).isEqualTo(TaskState.SUCCESS);
    assertThat(cb.record().resultUrls()).containsExactly("https://x/y.png");
  }

  @Test
  void acceptsSnakeCaseTaskIdAndFailure() throws Exception {
    KieCallback cb = KieCallback.parse(Buffer.buffer(
        "{\"code\":501,\"msg\":\"failed\",\"data\":{\"task_id\":\"t2\",\"state\":\"fail\",\"failCode\":\"500\"}}"));
    assertThat(cb.taskId()).isEqualTo("t2");
    assertThat(cb.reportsSuccess()).isFalse();
    assertThat(cb.record().failCode()).isEqualTo("500");
  }

  @Test
  void detectsTheLegacyShape() throws Exception {
    KieCallback cb = KieCallback.parse(Buffer.buffer(
        "{\"code\":200,\"msg\":\"ok\",\"data\":{\"taskId\":\"t3\",\"successFlag\":1,\"imageUrl\":\"https://i/x.jpg\"}}"));
    assertThat(cb.record().state()).isEqualTo(TaskState.SUCCESS);
    assertThat(cb.record().resultUrls()).containsExactly("https://i/x.jpg");
  }

  @Test
  void rejectsHostileBodiesWithAReason() {
    assertThatThrownBy(() -> KieCallback.parse(Buffer.buffer("")))
        .isInstanceOf(InvalidCallbackException.class).hasMessage("empty body");
    assertThatThrownBy(() -> KieCallback.parse(Buffer.buffer("{nope")))
        .isInstanceOf(InvalidCallbackException.class).hasMessage("body is not JSON");
    assertThatThrownBy(() -> KieCallback.parse(Buffer.buffer("[1,2]")))
        .isInstanceOf(InvalidCallbackException.class).hasMessage("body is not a JSON object");
    assertThatThrownBy(() -> KieCallback.parse(Buffer.buffer("{\"code\":\"200\",\"data\":{}}")))
        .isInstanceOf(InvalidCallbackException.class).hasMessageContaining("code");
    assertThatThrownBy(() -> KieCallback.parse(Buffer.buffer("{\"code\":200,\"data\":{\"state\":\"success\"}}")))
        .isInstanceOf(InvalidCallbackException.class).hasMessageContaining("taskId");
    assertThatThrownBy(() -> KieCallback.parse(Buffer.buffer("{\"code\":200,\"data\":\"" + "x".repeat(300_000) + "\"}")))
        .isInstanceOf(InvalidCallbackException.class).hasMessageContaining("exceeds");
  }
}
