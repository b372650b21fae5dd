package io.kieworker.sim;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.Random;
import javax.imageio.ImageIO;

/**
 * The simulator's result images: real, decodable bytes of the requested format, different per task
 * (pixels seeded by the task id) and the same on every download of one task. PNG and JPEG are drawn
 * as noise (so their size tracks the pixel count); WebP, which the JDK cannot write, is a fixed
 * valid 1×1 lossless image. CPU work of a few ms at 64 px: serve it off the event loop.
 */
final class SimImages {
  /** A 1×1 lossless WebP (RIFF/WEBP/VP8L). */
  private static final byte[] WEBP = Base64.getDecoder().decode("UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==");

  static {
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
  }

  private SimImages() {}

  static String contentType(String ext) {
    return switch (ext) {
      case "jpg", "jpeg" -> "image/jpeg";
      case "webp" -> "image/webp";
      default -> "image/png";
    };
  }

  static byte[] render(String taskId, String ext, int pixels) {
    if (ext.equals("webp")) {
      return WEBP.clone();
    }
    BufferedImage image = new BufferedImage(pixels, pixels, BufferedImage.TYPE_INT_RGB);
    Random random = new Random(taskId.hashCode());
    for (int y = 0; y < pixels; y++) {
      for (int x = 0; x < pixels; x++) {
        image.setRGB(x, y, random.nextInt(0x1000000));
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(pixels * pixels * 3 + 1024);
    try {
      if (!ImageIO.write(image, ext.equals("png") ? "png" : "jpeg", out)) {
        throw new IllegalStateException("no ImageIO writer for " + ext);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
