package io.kieworker.result;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;

/**
 * The length in bytes of {@code toBuffer()} of a JSON value, counted without encoding it: for a size
 * check of a value that is not written then (the ledger record a request will need, checked at
 * intake). Counts as Vert.x's Jackson encoder writes (compact; strings in UTF-8 with {@code "},
 * {@code \} and control characters escaped, every UTF-16 surrogate as a six-byte u-escape; numbers
 * as {@code toString()}, NaN and infinities quoted); any other kind of value is encoded to be
 * measured. {@code JsonSizeTest} holds this equal to the encoder's count, so an encoder that one
 * day writes more (escapes more) fails it; one that writes less (a surrogate pair as four UTF-8
 * bytes) only makes this an over-count, which a size bound tolerates.
 */
public final class JsonSize {
  /** Bytes beyond one an ASCII character takes: 1 for a two-character escape, 5 for a u-escape. */
  private static final byte[] ASCII_EXTRA = new byte[0x80];

  static {
    for (int c = 0; c < 0x20; c++) {
      ASCII_EXTRA[c] = 5;
    }
    for (char c : new char[] {'"', '\\', '\b', '\t', '\n', '\f', '\r'}) {
      ASCII_EXTRA[c] = 1;
    }
  }

  private JsonSize() {}

  /** {@code Json.CODEC.toBuffer(value, false).length()}, as a long (a tree may exceed 2 GB). */
  public static long of(Object value) {
    if (value == null) {
      return 4;
    }
    if (value instanceof String s) {
      return string(s);
    }
    if (value instanceof JsonObject object) {
      return map(object.getMap());
    }
    if (value instanceof Map<?, ?> map) {
      return map(map);
    }
    if (value instanceof JsonArray array) {
      return list(array.getList());
    }
    if (value instanceof List<?> list) {
      return list(list);
    }
    if (value instanceof Boolean b) {
      return b ? 4 : 5;
    }
    if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte
        || value instanceof BigInteger || value instanceof BigDecimal) {
      return value.toString().length();
    }
    if (value instanceof Double d) {
      return d.isNaN() || d.isInfinite() ? d.toString().length() + 2 : d.toString().length();
    }
    if (value instanceof Float f) {
      return f.isNaN() || f.isInfinite() ? f.toString().length() + 2 : f.toString().length();
    }
    return Json.CODEC.toBuffer(value, false).length();
  }

  private static long map(Map<?, ?> map) {
    long bytes = 2 + Math.max(0, map.size() - 1); // braces and commas
    for (Map.Entry<?, ?> e : map.entrySet()) {
      bytes += string(String.valueOf(e.getKey())) + 1 + of(e.getValue());
    }
    return bytes;
  }

  private static long list(List<?> list) {
    long bytes = 2 + Math.max(0, list.size() - 1);
    for (Object item : list) {
      bytes += of(item);
    }
    return bytes;
  }

  /** A quoted string: 1 byte per printable ASCII character, 2-6 for an escaped one, 2-3 in UTF-8 beyond. */
  static long string(String s) {
    long bytes = 2 + s.length();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        bytes += ASCII_EXTRA[c];
      } else if (c < 0x800) {
        bytes += 1;
      } else {
        bytes += Character.isSurrogate(c) ? 5 : 2;
      }
    }
    return bytes;
  }
}
