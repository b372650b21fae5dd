package io.kieworker.config;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ${NAME:default}} substitution. An unset or empty variable takes the default; {@code ${NAME}}
 * without one is unset: a value that is only that placeholder becomes null, an embedded one "".
 */
final class Placeholders {
  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::([^}]*))?}");

  /** @param envName the first variable named in the text, or null for a literal */
  record Resolved(String value, String envName) {}

  private Placeholders() {}

  static Resolved resolve(String text, Map<String, String> env) {
    Matcher m = PLACEHOLDER.matcher(text);
    String firstName = null;
    StringBuilder out = new StringBuilder();
    boolean whole = false;
    while (m.find()) {
      if (firstName == null) {
        firstName = m.group(1);
        whole = m.start() == 0 && m.end() == text.length();
      }
      String value = lookup(m.group(1), m.group(2), env);
      if (whole && value == null) {
        return new Resolved(null, firstName);
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value == null ? "" : value));
    }
    m.appendTail(out);
    return new Resolved(out.toString(), firstName);
  }

  private static String lookup(String name, String fallback, Map<String, String> env) {
    String value = env.get(name);
    return value == null || value.isEmpty() ? fallback : value;
  }
}
