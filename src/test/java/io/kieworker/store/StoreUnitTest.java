package io.kieworker.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.kieworker.result.ResultEvent;
import io.kieworker.result.ResultStatus;
import io.kieworker.result.StoredCopy;
import io.kieworker.result.Timings;
import java.net.InetAddress;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** The result store's pure parts: keys, address checks, content types, failure classes, the event fields. */
@Tag("unit")
class StoreUnitTest {

  @Test
  void keysAreDeterministicAndCarryOnlyAHashOfTheRequestId() {
    Instant at = Instant.parse("2026-03-04T23:59:59Z");
    String key = StoreKey.of("img/kie", "google/nano-banana", at, "order-42/../x", 1, "png");
    assertThat(key).isEqualTo(StoreKey.of("img/kie", "google/nano-banana", at, "order-42/../x", 1, "png"))
        .matches("img/kie/google_nano-banana/2026/03/04/[0-9a-f]{32}/1\\.png")
        .doesNotContain("order-42");
    assertThat(StoreKey.of("", "nano-banana-pro", at, "a", 0, "jpg")).startsWith("nano-banana-pro/2026/03/04/");
    assertThat(StoreKey.hash("a")).isNotEqualTo(StoreKey.hash("b"));
  }

  @Test
  void onlyPublicAddressesPassTheCheck() throws Exception {
    for (String ip : List.of("127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "0.0.0.0",
        "100.64.0.1", "224.0.0.1", "::1", "fe80::1", "fd00::1", "::ffff:127.0.0.1")) {
      assertThat(ResultFetcher.isPublic(InetAddress.getByName(ip))).as(ip).isFalse();
    }
    for (String ip : List.of("8.8.8.8", "1.1.1.1", "2606:4700::1111", "100.128.0.1")) {
      assertThat(ResultFetcher.isPublic(InetAddress.getByName(ip))).as(ip).isTrue();
    }
  }

  @Test
  void theContentTypeComesFromTheResponseElseFromTheUrl() {
    assertThat(ResultFetcher.contentType("image/png; charset=binary", "/x.jpg")).isEqualTo("image/png");
    assertThat(ResultFetcher.contentType("text/html", "/x.JPG")).isEqualTo("image/jpeg");
    assertThat(ResultFetcher.contentType(null, "/x.webp")).isEqualTo("image/webp");
    assertThat(ResultFetcher.contentType(null, "/x")).isEqualTo("application/octet-stream");
    assertThat(ResultFetcher.extension("image/jpeg")).isEqualTo("jpg");
    assertThat(ResultFetcher.extension("application/octet-stream")).isEqualTo("bin");
  }

  @Test
  void storeAnswersAreClassifiedByWhetherWaitingCanHelp() {
    StoreFailure denied = S3ResultStore.classify(S3Exception.builder().statusCode(403).message("no").build());
    assertThat(denied.code()).isEqualTo(StoreFailure.REJECTED);
    assertThat(denied.isTransient()).isFalse();
    StoreFailure busy = S3ResultStore.classify(S3Exception.builder().statusCode(503).message("slow down").build());
    assertThat(busy.code()).isEqualTo(StoreFailure.UNAVAILABLE);
    assertThat(busy.isTransient()).isTrue();
    StoreFailure down = S3ResultStore.classify(SdkClientException.create("Connection refused"));
    assertThat(down.isTransient()).isTrue();
    assertThat(down.getMessage()).contains("Connection refused");
  }

  @Test
  void metadataValuesAreAsciiAndBounded() {
    assertThat(S3ResultStore.headerSafe("order-42")).isEqualTo("order-42");
    assertThat(S3ResultStore.headerSafe("order-张三")).isEqualTo("order-%E5%BC%A0%E4%B8%89");
    assertThat(S3ResultStore.headerSafe("x".repeat(1000))).hasSize(256);
    assertThat(S3ResultStore.encodePath("a b/c+d.png")).isEqualTo("a%20b/c%2Bd.png");
  }

  @Test
  void theStoreFieldsRoundTripThroughTheResultEventAndAreAbsentWhenTheStoreIsOff() {
    ResultEvent plain = new ResultEvent("r1", ResultStatus.SUCCEEDED, "m", "t", List.of("https://k/a.png"), null, 1,
        null, Timings.NONE, Map.of());
    assertThat(plain.toJson().fieldNames()).doesNotContain("storedUrls", "stored", "storeError");

    StoredCopy copy = new StoredCopy(List.of("s3://b/k.png"),
        List.of(new StoredCopy.StoredObject("k.png", 12, "ab".repeat(32), "image/png")), null);
    ResultEvent stored = plain.withStore(copy).withPublishedAt(Instant.EPOCH);
    assertThat(stored.toJson().getJsonArray("storedUrls").getString(0)).isEqualTo("s3://b/k.png");
    assertThat(stored.toJson().getJsonArray("stored").getJsonObject(0).getLong("bytes")).isEqualTo(12);
    assertThat(ResultEvent.fromJson(stored.toJson()).store()).isEqualTo(copy);

    ResultEvent failed = plain.withStore(StoredCopy.failed(StoreFailure.UNAVAILABLE, "down"));
    assertThat(failed.toJson().getJsonObject("storeError").getString("code")).isEqualTo("STORE_UNAVAILABLE");
    assertThat(failed.toJson().containsKey("storedUrls")).isFalse();
    assertThat(ResultEvent.fromJson(failed.toJson()).store().error().message()).isEqualTo("down");
  }
}
