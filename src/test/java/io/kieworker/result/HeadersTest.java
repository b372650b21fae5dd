package io.kieworker.result;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.vertx.core.json.JsonArray;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class HeadersTest {
  private static final Instant PUBLISHED = Instant.parse("2025-12-08T07:24:26Z");

  private static RecordHeaders requestHeaders() {
    RecordHeaders headers = new RecordHeaders();
    headers.add("x-foo", bytes("foo"));
    headers.add("X-Trace", bytes("trace"));
    headers.add("traceparent", bytes("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
    headers.add("tracestate", bytes("congo=t61rcWkgMzE"));
    headers.add("authorization", bytes("Bearer secret"));
    headers.add("foo", bytes("bar"));
    headers.add("xfoo", bytes("no dash"));
    headers.add("x-empty", null);
    return headers;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void selectsXAndTraceContextHeadersOnlyAndDropsNullValues() {
    List<PassThroughHeaders.Drop> drops = new java.util.ArrayList<>();
    List<HeaderValue> kept = PassThroughHeaders.select(requestHeaders(), drops::add);

    assertThat(kept).extracting(HeaderValue::name)
        .containsExactly("x-foo", "X-Trace", "traceparent", "tracestate");
    assertThat(kept.get(0).text()).isEqualTo("foo");
    assertThat(drops).containsExactly(PassThroughHeaders.Drop.NULL_VALUE);
  }

  @Test
  void passThroughSurvivesTheLedger() {
    List<HeaderValue> kept = PassThroughHeaders.select(requestHeaders());

    String stored = PassThroughHeaders.toJson(kept).encode();

    assertThat(stored).contains("\"value\":\"Zm9v\"");
    assertThat(PassThroughHeaders.fromJson(new JsonArray(stored))).isEqualTo(kept);
  }

  @Test
  void cloudEventHeaders() {
    ResultEvent event = new ResultEvent("order-42", ResultStatus.TIMED_OUT, "nano-banana-pro", null, null,
        null, 1, null, new Timings(null, null, null, PUBLISHED), null);
    List<HeaderValue> passThrough = List.of(HeaderValue.of("x-foo", "foo"));

    List<HeaderValue> headers = CloudEventHeaders.forResult(event, passThrough);

    assertThat(headers).extracting(HeaderValue::name, HeaderValue::text).containsExactly(
        tuple("ce_specversion", "1.0"),
        tuple("ce_id", "order-42"),
        tuple("ce_type", "ai.kie.generation.timed_out"),
        tuple("ce_source", "kie-worker"),
        tuple("ce_subject", "order-42"),
        tuple("ce_time", "2025-12-08T07:24:26Z"),
        tuple("content-type", "application/json"),
        tuple("x-foo", "foo"));
  }

  @Test
  void cloudEventHeadersLeaveOutTimeWhenNotPublishedYet() {
    ResultEvent event = new ResultEvent("r", ResultStatus.SUCCEEDED, "m", "t", null, null, 1, null, null, Map.of());

    assertThat(CloudEventHeaders.forResult(event, List.of())).extracting(HeaderValue::name)
        .doesNotContain("ce_time").contains("ce_id");
  }

  @Test
  void deadLetterHeadersThenTheOriginalOnes() {
    List<HeaderValue> headers = DeadLetterHeaders.of("UNPARSEABLE", "value is empty", "kie.generation.requests",
        4, 1234L, PUBLISHED, requestHeaders());

    assertThat(headers.subList(0, 6)).extracting(HeaderValue::name, HeaderValue::text).containsExactly(
        tuple("dlq.reason", "UNPARSEABLE"),
        tuple("dlq.exception", "value is empty"),
        tuple("dlq.original.topic", "kie.generation.requests"),
        tuple("dlq.original.partition", "4"),
        tuple("dlq.original.offset", "1234"),
        tuple("dlq.time", "2025-12-08T07:24:26Z"));
    assertThat(headers.subList(6, headers.size())).extracting(HeaderValue::name)
        .containsExactly(DeadLetterHeaders.HEADERS_DROPPED, "x-foo", "X-Trace", "traceparent", "tracestate",
            "authorization", "foo", "xfoo");
    assertThat(headers.get(6).text()).isEqualTo("forged=0,null=1,oversize=0");
  }

  @Test
  void deadLetterExceptionIsOneLineOfAtMost500Characters() {
    String trace = "java.lang.IllegalStateException: boom\n\tat a.b.C.d(C.java:1)\n" + "x".repeat(1000);

    HeaderValue exception = DeadLetterHeaders.of("INVALID", trace, "t", 0, 0L, PUBLISHED, null).get(1);

    assertThat(exception.text()).hasSize(500).doesNotContain("\n").startsWith("java.lang.IllegalStateException: boom");
  }

  @Test
  void headerValuesCompareByContent() {
    assertThat(HeaderValue.of("a", "b")).isEqualTo(new HeaderValue("a", bytes("b")))
        .hasSameHashCodeAs(new HeaderValue("a", bytes("b")));
    assertThat(HeaderValue.of("a", "b")).isNotEqualTo(HeaderValue.of("a", "c"));
  }
}
