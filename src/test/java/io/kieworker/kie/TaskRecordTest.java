package io.kieworker.kie;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class TaskRecordTest {

  /** The recordInfo example from the Nano Banana Pro page, verbatim. */
  private static final String DOC_RECORD = "{\"taskId\":\"281e5b0*********************f39b9\","
      + "\"model\":\"nano-banana-pro\",\"state\":\"waiting\","
      + "\"param\":\"{\\\"model\\\":\\\"nano-banana-pro\\\",\\\"input\\\":{\\\"prompt\\\":\\\"Comic poster\\\","
      + "\\\"image_input\\\":[],\\\"aspect_ratio\\\":\\\"1:1\\\",\\\"resolution\\\":\\\"1K\\\",\\\"output_format\\\":\\\"png\\\"}}\","
      + "\"resultJson\":\"{\\\"resultUrls\\\":[\\\"https://static.aiquickdraw.com/tools/example/1763662100739_DlBXJvdR.png\\\"]}\","
      + "\"failCode\":null,\"failMsg\":null,\"costTime\":null,\"completeTime\":null,\"createTime\":1757584164490}";

  @Test
  void parsesTheDocumentedRecordWithItsJsonStrings() {
    TaskRecord record = TaskRecord.fromMarket(new JsonObject(DOC_RECORD));
    assertThat(record.taskId()).isEqualTo("281e5b0*********************f39b9");
    assertThat(record.state()).isEqualTo(TaskState.WAITING);
    assertThat(record.state().terminal()).isFalse();
    assertThat(record.param().getJsonObject("input").getString("resolution")).isEqualTo("1K");
    assertThat(record.resultUrls())
        .containsExactly("https://static.aiquickdraw.com/tools/example/1763662100739_DlBXJvdR.png");
    assertThat(record.createTime()).isEqualTo(1757584164490L);
    assertThat(record.generationTime()).isNull();
  }

  @Test
  void parsesAFailure() {
    TaskRecord record = TaskRecord.fromMarket(new JsonObject()
        .put("taskId", "t1").put("state", "fail").put("failCode", 500)
        .put("failMsg", "Internal Error, Please try again later")
        .put("createTime", 1000L).put("completeTime", 4500L));
    assertThat(record.state()).isEqualTo(TaskState.FAIL);
    assertThat(record.failCode()).isEqualTo("500");
    assertThat(record.generationTime()).isEqualTo(Duration.ofMillis(3500));
    assertThat(record.resultUrls()).isEmpty();
  }

  @Test
  void allFiveStatesAndUnknownMeansRunning() {
    assertThat(TaskState.parse("waiting")).isEqualTo(TaskState.WAITING);
    assertThat(TaskState.parse("queuing")).isEqualTo(TaskState.QUEUING);
    assertThat(TaskState.parse("generating")).isEqualTo(TaskState.GENERATING);
    assertThat(TaskState.parse("SUCCESS")).isEqualTo(TaskState.SUCCESS);
    assertThat(TaskState.parse("fail")).isEqualTo(TaskState.FAIL);
    assertThat(TaskState.parse("rendering")).isEqualTo(TaskState.UNKNOWN);
    assertThat(TaskState.UNKNOWN.terminal()).isFalse();
  }

  @Test
  void toleratesMalformedJsonStringsAndCreditsAsText() {
    TaskRecord record = TaskRecord.fromMarket(new JsonObject()
        .put("task_id", "t2").put("state", "success").put("param", "{not json")
        .put("resultJson", "").put("creditsConsumed", "18"));
    assertThat(record.taskId()).isEqualTo("t2");
    assertThat(record.param()).isNull();
    assertThat(record.resultUrls()).isEmpty();
    assertThat(record.creditsConsumed()).isEqualTo(18.0);
  }

  @Test
  void parsesTheDocumentedLegacyRecord() {
    TaskRecord record = TaskRecord.fromLegacy(new JsonObject()
        .put("taskId", "nano_banana_task_abc123").put("successFlag", 1)
        .put("imageUrl", "https://cdn.kie.ai/nano-banana/image.jpg")
        .put("createTime", "2025-12-07T10:00:00Z").put("completeTime", "2025-12-07T10:02:15Z"));
    assertThat(record.state()).isEqualTo(TaskState.SUCCESS);
    assertThat(record.resultUrls()).containsExactly("https://cdn.kie.ai/nano-banana/image.jpg");
    assertThat(record.generationTime()).isEqualTo(Duration.ofSeconds(135));
  }

  @Test
  void legacyFlagsMapToStates() {
    assertThat(TaskState.fromSuccessFlag(0)).isEqualTo(TaskState.GENERATING);
    assertThat(TaskState.fromSuccessFlag(2)).isEqualTo(TaskState.FAIL);
    TaskRecord creationFailed = TaskRecord.fromLegacy(new JsonObject().put("taskId", "x").put("successFlag", 3));
    assertThat(creationFailed.state()).isEqualTo(TaskState.FAIL);
    assertThat(creationFailed.failCode()).isEqualTo("CREATE_FAILED");
  }
}
