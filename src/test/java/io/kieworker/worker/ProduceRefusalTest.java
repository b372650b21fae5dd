package io.kieworker.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.kieworker.health.Health;
import io.kieworker.kafka.ProduceRefusal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnknownServerException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class ProduceRefusalTest {
  @Test
  void nonRetriableKafkaErrorsAreRefusals() {
    assertThat(ProduceRefusal.refused(new RecordTooLargeException("big"))).isTrue();
    assertThat(ProduceRefusal.tooLarge(new RecordTooLargeException("big"))).isTrue();
    assertThat(ProduceRefusal.refused(new TopicAuthorizationException("no"))).isTrue();
    assertThat(ProduceRefusal.refused(new InvalidTopicException("bad name"))).isTrue();
    assertThat(ProduceRefusal.refused(new KafkaException("wrapped", new RecordTooLargeException("big")))).isTrue();
    assertThat(ProduceRefusal.tag(new TopicAuthorizationException("no"))).isEqualTo("TopicAuthorizationException");
  }

  @Test
  void transientErrorsAreRetried() {
    assertThat(ProduceRefusal.refused(new TimeoutException("slow"))).isFalse();
    assertThat(ProduceRefusal.refused(new NotLeaderOrFollowerException("moving"))).isFalse();
    assertThat(ProduceRefusal.refused(new UnknownServerException("hiccup"))).isFalse();
    assertThat(ProduceRefusal.refused(new SaslAuthenticationException("whole instance"))).isFalse();
    assertThat(ProduceRefusal.refused(new IllegalStateException("not kafka"))).isFalse();
  }

  @Test
  void aRefusedRecordDoesNotMakeTheInstanceUnready() {
    Health health = new Health();
    health.consumerStarted();
    health.assigned(java.util.Set.of(0));
    health.keyAccepted(true);

    health.producerFailed(new RecordTooLargeException("big"));
    assertThat(health.notReadyReason()).isNull();

    health.producerFailed(new TimeoutException("broker gone"));
    assertThat(health.notReadyReason()).contains("producer");
  }

  @Test
  void dataUrisCountAsTheUploadedUrlThatReplacesThem() {
    JsonObject input = new JsonObject().put("prompt", "p")
        .put("image_urls", new JsonArray().add("data:image/png;base64," + "A".repeat(10_000)).add("https://x/y.png"));

    assertThat(DurableSize.dataUriExcess(input)).isEqualTo(10_022 - DurableSize.UPLOADED_URL_BYTES);
  }
}
