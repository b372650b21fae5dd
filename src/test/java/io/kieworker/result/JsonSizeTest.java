package io.kieworker.result;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class JsonSizeTest {
  /** Every kind of character the encoder treats apart, plus plain ones. */
  private static final char[] ALPHABET = {'a', 'Z', '0', ' ', '/', '"', '\\', '\b', '\t', '\n', '\f', '\r', '\u0000',
      '\u001f', '\u007f', '\u0080', 'é', '\u07ff', '\u0800', '€', '\ud7ff', '\ud800', '\udbff', '\udc00', '\udfff',
      '\ue000', '\uffff', '\ufeff'};

  @Test
  void countsWhatTheEncoderWritesForEveryKindOfValue() {
    List<Object> values = new ArrayList<>(List.of("", "plain", "\ud83d\ude00 pair", "\ud800 unpaired", "\udc00\ud800",
        "q\"b\\s/c\u0001\u001f\u007f", 0, -1, Integer.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE, 1.5, -0.0, 1e23,
        4.9e-324, Double.MAX_VALUE, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1.25f, Float.NaN,
        new BigInteger("123456789012345678901234567890"), new BigDecimal("1E+5"), new BigDecimal("-0.000001"),
        true, false, new JsonObject(), new JsonArray(), Instant.parse("2026-12-01T17:53:05.123Z"),
        new byte[] {1, 2, 3}));
    values.add(null);
    Map<String, Object> raw = new LinkedHashMap<>();
    raw.put("list", List.of(1, "x", Map.of("k", "v")));
    raw.put("nul", null);
    values.add(raw);
    for (Object value : values) {
      JsonObject holder = new JsonObject().put("k\"\u0001é", value);
      assertThat(JsonSize.of(holder)).as("%s", value).isEqualTo(holder.toBuffer().length());
      JsonArray array = new JsonArray().add(value).add(value);
      assertThat(JsonSize.of(array)).as("[%s]", value).isEqualTo(array.toBuffer().length());
    }
  }

  @Test
  void countsWhatTheEncoderWritesForRandomTrees() {
    SplittableRandom random = new SplittableRandom(5);
    for (int i = 0; i < 3_000; i++) {
      Object tree = random.nextBoolean() ? object(random, 0) : array(random, 0);
      long encoded = tree instanceof JsonObject o ? o.toBuffer().length() : ((JsonArray) tree).toBuffer().length();
      assertThat(JsonSize.of(tree)).as("%s", tree).isEqualTo(encoded);
    }
  }

  private static JsonObject object(SplittableRandom random, int depth) {
    JsonObject object = new JsonObject();
    int fields = random.nextInt(6);
    for (int i = 0; i < fields; i++) {
      object.put(string(random) + i, value(random, depth + 1));
    }
    return object;
  }

  private static JsonArray array(SplittableRandom random, int depth) {
    JsonArray array = new JsonArray();
    int items = random.nextInt(6);
    for (int i = 0; i < items; i++) {
      array.add(value(random, depth + 1));
    }
    return array;
  }

  private static Object value(SplittableRandom random, int depth) {
    int kind = random.nextInt(depth < 4 ? 10 : 8);
    return switch (kind) {
      case 0 -> null;
      case 1 -> random.nextBoolean();
      case 2 -> random.nextInt();
      case 3 -> random.nextLong();
      case 4 -> Double.longBitsToDouble(random.nextLong());
      case 5 -> random.nextDouble() * 1000;
      case 6, 7 -> string(random);
      case 8 -> object(random, depth);
      default -> array(random, depth);
    };
  }

  private static String string(SplittableRandom random) {
    StringBuilder sb = new StringBuilder();
    int length = random.nextInt(12);
    for (int i = 0; i < length; i++) {
      sb.append(random.nextInt(3) == 0 ? (char) random.nextInt(0x10000) : ALPHABET[random.nextInt(ALPHABET.length)]);
    }
    return sb.toString();
  }
}
