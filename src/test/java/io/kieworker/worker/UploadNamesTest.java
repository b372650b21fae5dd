package io.kieworker.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.kieworker.kie.DataUri;
import java.util.Base64;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class UploadNamesTest {
  private static final String PNG_A = "data:image/png;base64," + Base64.getEncoder().encodeToString(new byte[] {1, 2, 3});
  private static final String PNG_B = "data:image/png;base64," + Base64.getEncoder().encodeToString(new byte[] {4, 5, 6});

  @Test
  void requestIdsThatDifferOnlyInNonAsciiLettersGetDifferentPaths() {
    String zhang = UploadNames.uploadPath("order-7-张三");
    String li = UploadNames.uploadPath("order-7-李四");

    assertThat(zhang).isNotEqualTo(li);
    assertThat(zhang).matches("kie-worker/[0-9a-f]{32}");
    assertThat(UploadNames.uploadPath("order-7-张三")).as("stable for one request").isEqualTo(zhang);
    // ids the old replacement mapped to one name ("a_b") stay apart too
    assertThat(UploadNames.uploadPath("a/b")).isNotEqualTo(UploadNames.uploadPath("a_b"));
  }

  @Test
  void twoDifferentImagesOfOneRequestGetDifferentNames() {
    DataUri a = DataUri.parse(PNG_A);
    DataUri b = DataUri.parse(PNG_B);

    String first = UploadNames.fileName(a.contentHash(), 0, a.extension());
    String second = UploadNames.fileName(b.contentHash(), 1, b.extension());

    assertThat(first).isNotEqualTo(second).matches("[0-9a-f]{32}-0\\.png");
    assertThat(second).matches("[0-9a-f]{32}-1\\.png");
    assertThat(first.substring(0, 32)).isNotEqualTo(second.substring(0, 32));
  }

  @Test
  void theSameImageTwiceInOneRequestIsTwoFilesByIndex() {
    DataUri a = DataUri.parse(PNG_A);

    assertThat(UploadNames.fileName(a.contentHash(), 0, "png")).isNotEqualTo(UploadNames.fileName(a.contentHash(), 1, "png"));
  }
}
