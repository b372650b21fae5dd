package io.kieworker.config;

import io.kieworker.text.Quote;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * How a setting's text becomes a value. A parser sees the text already trimmed, or null when the
 * setting is unset (no variable, nothing in the file, no default); it returns null after adding a
 * problem. The messages name the setting by its label, never its value when the setting is secret.
 */
final class Parsers {
  private static final Pattern TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");
  static final String DURATION_HINT = "a duration like 15m or 900s";

  private Parsers() {}

  static Setting.Parser<String> text(boolean required) {
    return (text, label, problems) -> {
      if (text == null && required) {
        problems.add(label + " is required");
      }
      return text;
    };
  }

  static Setting.Parser<String> topic() {
    return (text, label, problems) -> {
      if (text == null) {
        problems.add(label + " is required");
      } else if (!TOPIC.matcher(text).matches()) {
        problems.add(label + " must be a Kafka topic name (letters, digits, '.', '_', '-'), got " + quoted(text));
      }
      return text;
    };
  }

  /** An http(s) base URL without query or fragment; the trailing slashes are dropped. */
  static Setting.Parser<String> baseUrl(boolean required) {
    return (text, label, problems) -> {
      if (text == null) {
        if (required) {
          problems.add(label + " is required");
        }
        return null;
      }
      try {
        URI uri = new URI(text);
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
          problems.add(label + " must be an http(s) URL, got " + quoted(text));
          return null;
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
          problems.add(label + " must be a base URL without query or fragment, got " + quoted(text));
          return null;
        }
        return text.replaceAll("/+$", "");
      } catch (URISyntaxException e) {
        problems.add(label + " must be an http(s) URL, got " + quoted(text) + " (" + e.getReason() + ")");
        return null;
      }
    };
  }

  /** A duration above zero in {@link Durations}' syntax; optional ones may stay unset (null). */
  static Setting.Parser<Duration> duration(boolean required) {
    return (text, label, problems) -> {
      if (text == null) {
        if (required) {
          problems.add(label + " is required");
        }
        return null;
      }
      Duration d = Durations.parse(text).orElse(null);
      if (d == null || d.isZero()) {
        problems.add(label + " must be " + DURATION_HINT + (d == null ? "" : " above zero") + ", got " + quoted(text));
        return null;
      }
      return d;
    };
  }

  static Setting.Parser<Integer> intIn(int min, int max) {
    return (text, label, problems) -> {
      if (text == null) {
        problems.add(label + " is required");
        return null;
      }
      String range = max == Integer.MAX_VALUE ? "a whole number ≥ " + min : min + "–" + max;
      try {
        long n = Long.parseLong(text);
        if (n >= min && n <= max) {
          return (int) n;
        }
      } catch (NumberFormatException e) {
        // reported below, with the range
      }
      problems.add(label + " must be " + range + ", got " + quoted(text));
      return null;
    };
  }

  static Setting.Parser<Double> positiveNumber() {
    return (text, label, problems) -> number(text, label, problems, d -> d > 0, "a number above 0");
  }

  static Setting.Parser<Double> ratio() {
    return (text, label, problems) -> number(text, label, problems, d -> d > 0 && d < 1,
        "a number between 0 and 1 (exclusive)");
  }

  private static Double number(String text, String label, List<String> problems,
      java.util.function.DoublePredicate ok, String what) {
    if (text == null) {
      problems.add(label + " is required");
      return null;
    }
    try {
      double d = Double.parseDouble(text);
      if (Double.isFinite(d) && ok.test(d)) {
        return d;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    problems.add(label + " must be " + what + ", got " + quoted(text));
    return null;
  }

  /** One of {@code choices} (the first is the default when unset). */
  static Setting.Parser<String> oneOf(String... choices) {
    return (text, label, problems) -> {
      if (text == null) {
        return choices[0];
      }
      for (String choice : choices) {
        if (choice.equals(text)) {
          return choice;
        }
      }
      problems.add(label + " must be " + String.join(" or ", choices) + ", got " + quoted(text));
      return null;
    };
  }

  private static final Pattern SIZE = Pattern.compile("(\\d{1,19})\\s*([KMG]iB|B)?", Pattern.CASE_INSENSITIVE);
  static final String SIZE_HINT = "a size in bytes like 268435456, 256MiB, 64KiB or 1GiB";

  /** A byte count ≥ {@code min}: a whole number, optionally with a B, KiB, MiB or GiB suffix. */
  static Setting.Parser<Long> size(long min) {
    return (text, label, problems) -> {
      if (text == null) {
        problems.add(label + " is required");
        return null;
      }
      java.util.regex.Matcher m = SIZE.matcher(text);
      Long bytes = m.matches() ? bytes(m.group(1), m.group(2)) : null;
      if (bytes == null || bytes < min) {
        problems.add(label + " must be " + SIZE_HINT + (bytes == null ? "" : ", at least " + min)
            + ", got " + quoted(text));
        return null;
      }
      return bytes;
    };
  }

  /** Null when the number overflows. */
  private static Long bytes(String digits, String unit) {
    int shift = unit == null ? 0 : switch (unit.toUpperCase(Locale.ROOT)) {
      case "KIB" -> 10;
      case "MIB" -> 20;
      case "GIB" -> 30;
      default -> 0;
    };
    try {
      long n = Long.parseLong(digits);
      return n > (Long.MAX_VALUE >> shift) ? null : n << shift;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  static String quoted(String value) {
    return Quote.quoted(value, 80);
  }
}
