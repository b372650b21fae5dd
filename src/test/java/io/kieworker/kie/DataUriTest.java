package io.kieworker.kie;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Tag("unit")
class DataUriTest {

  @Test
  void largePayloadIsCopiedAndDecodedExactlyThroughTheChunks() throws Exception {
    byte[] image = new byte[300_001]; // several 64 K chunks and a short last one, with padding
    new Random(7).nextBytes(image);
    String base64 = Base64.getEncoder().encodeToString(image);
    DataUri uri = DataUri.parse("data:image/jpeg;name=x;base64," + base64);

    Buffer decoded = Buffer.buffer();
    uri.appendDecoded(decoded);
    Buffer payload = Buffer.buffer();
    uri.appendPayload(payload);

    assertThat(decoded.getBytes()).isEqualTo(image);
    assertThat(payload.toString()).isEqualTo(base64);
    assertThat(uri.decodedBytes()).isEqualTo(image.length);
    assertThat(uri.payloadLength()).isEqualTo(base64.length());
    assertThat(uri.mimeType()).isEqualTo("image/jpeg");
    assertThat(uri.extension()).isEqualTo("jpg");
    assertThat(uri.contentHash()).isEqualTo(HexFormat.of().formatHex(
        MessageDigest.getInstance("SHA-256").digest(base64.getBytes())));
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 4, 5})
  void unpaddedAndPaddedPayloadsOfEveryRemainderAreAccepted(int n) {
    byte[] bytes = new byte[n];
    String padded = Base64.getEncoder().encodeToString(bytes);
    String unpadded = Base64.getEncoder().withoutPadding().encodeToString(bytes);

    assertThat(DataUri.base64Problem(padded, 0)).isNull();
    assertThat(DataUri.base64Problem(unpadded, 0)).isNull();
    assertThat(DataUri.decodedSize(padded, 0)).isEqualTo(n);
    assertThat(DataUri.decodedSize(unpadded, 0)).isEqualTo(n);
  }

  @ParameterizedTest
  @ValueSource(strings = {"iVBO@@@@", "iVBORw0K\nGgo=", "AAAAA", "AA=", "A===", "=", "AA==AA==", "AAA\u00e9"})
  void whatTheStrictDecoderRefusesIsRefusedWithoutDecoding(String payload) {
    assertThat(DataUri.base64Problem(payload, 0)).as(payload).isNotNull();
    assertThatThrownBy(() -> Base64.getDecoder().decode(payload)).as("the JDK agrees on " + payload)
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> DataUri.parse("data:image/png;base64," + payload))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void anEmptyPayloadOrAnotherShapeIsRefused() {
    assertThatThrownBy(() -> DataUri.parse("data:image/png;base64,")).hasMessageContaining("no image data");
    assertThatThrownBy(() -> DataUri.parse("data:image/png,AAAA")).hasMessageContaining("base64");
  }

  @Test
  void theBase64UploadBodyIsJsonWithTheCheckedMimeTypeNotTheHeaderParameters() {
    // A header parameter with a quote and a backslash must not break the JSON body built by hand.
    DataUri uri = DataUri.parse("data:image/png;name=\"a\\\";base64,AAEC");

    JsonObject body = KieClient.base64Body(uri, "kie-worker/p", "f-0.png").toJsonObject();

    assertThat(body).isEqualTo(new JsonObject().put("base64Data", "data:image/png;base64,AAEC")
        .put("uploadPath", "kie-worker/p").put("fileName", "f-0.png"));
    assertThat(KieClient.uploadBodyBytes(uri)).isEqualTo(4);
  }
}
