package io.kieworker.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.awt.image.BufferedImage;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The simulator serves real image bytes, of the requested format, at its own result URLs. */
class SimResultImagesTest {
  private final SimHarness h = new SimHarness(SimHarness.instant());

  @AfterEach
  void close() {
    h.close();
  }

  @Test
  void aSucceededTaskHasADecodableImageOfItsFormatAtItsResultUrlTheSameOnEveryDownload() throws Exception {
    for (String format : new String[] {"png", "jpeg"}) {
      String taskId = h.createMarket(SimHarness.nanoBanana("img " + format).put("input",
          new JsonObject().put("prompt", "img " + format).put("output_format", format)));
      String url = resultUrl(taskId);
      assertThat(url).startsWith(h.sim.baseUrl() + "/results/" + taskId + ".");
      var first = h.get(url.substring(h.sim.baseUrl().length()));
      var second = h.get(url.substring(h.sim.baseUrl().length()));
      assertThat(first.statusCode()).isEqualTo(200);
      assertThat(first.getHeader("Content-Type")).isEqualTo(format.equals("png") ? "image/png" : "image/jpeg");
      BufferedImage image = ImageIO.read(new ByteArrayInputStream(first.body().getBytes()));
      assertThat(image).as(format + " decodes").isNotNull();
      assertThat(image.getWidth()).isEqualTo(64);
      assertThat(second.body().getBytes()).isEqualTo(first.body().getBytes());
    }
    assertThat(h.sim.counters().resultDownloads()).isEqualTo(4);
  }

  @Test
  void anUnknownTaskOrAWrongExtensionIs404() {
    String taskId = h.createMarket(SimHarness.nanoBanana("img"));
    assertThat(h.get("/results/" + taskId + ".jpeg").statusCode()).isEqualTo(404);
    assertThat(h.get("/results/nope.png").statusCode()).isEqualTo(404);
    assertThat(h.get("/results/" + taskId + ".png").statusCode()).isEqualTo(200);
  }

  private String resultUrl(String taskId) {
    JsonObject data = h.record(taskId).getJsonObject("data");
    return new JsonObject(data.getString("resultJson")).getJsonArray("resultUrls").getString(0);
  }
}
