package io.kieworker.queue;

/**
 * The rule a tenant name follows, wherever it comes from (the request's {@code tenant}, its
 * {@code metadata.tenant}, {@code WORKER_TENANT_WEIGHTS}): 1 to {@value #MAX_LENGTH} ASCII letters,
 * digits and {@link #PUNCTUATION}. A tenant becomes a scheduling key and a metric label, so it is
 * short and plain ASCII. Pure and thread-safe.
 */
public final class Tenants {
  /** The tenant of a request that names none (or names an unusable one in its metadata). */
  public static final String DEFAULT = "default";
  public static final int MAX_LENGTH = 64;
  /** ASCII characters allowed besides letters and digits. */
  public static final String PUNCTUATION = "-_.:@";
  /** The rule in words, as messages end with it. */
  public static final String RULE = "1–" + MAX_LENGTH + " ASCII letters, digits and "
      + String.join(" ", PUNCTUATION.split(""));

  private Tenants() {}

  public static boolean valid(String tenant) {
    return tenant != null && problem(tenant) == null;
  }

  /** Why {@code tenant} is not a valid tenant name, as a sentence naming the rule, or null when it is valid. */
  public static String problem(String tenant) {
    if (tenant.isEmpty()) {
      return "must not be empty; allowed: " + RULE;
    }
    int length = tenant.codePointCount(0, tenant.length());
    if (length > MAX_LENGTH) {
      return "must be at most " + MAX_LENGTH + " characters, got " + length;
    }
    int position = 1;
    for (int i = 0; i < tenant.length(); i += Character.charCount(tenant.codePointAt(i)), position++) {
      int c = tenant.codePointAt(i);
      if (!allowed(c)) {
        return "must not contain " + describe(c) + " (U+" + String.format("%04X", c) + " at character "
            + position + "); allowed: " + RULE;
      }
    }
    return null;
  }

  private static boolean allowed(int c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || PUNCTUATION.indexOf(c) >= 0;
  }

  private static String describe(int c) {
    if (Character.getType(c) == Character.CONTROL) {
      return "a control character";
    }
    if (Character.isWhitespace(c) || Character.isSpaceChar(c)) {
      return "whitespace";
    }
    int type = Character.getType(c);
    if (type == Character.FORMAT || type == Character.SURROGATE || type == Character.UNASSIGNED
        || type == Character.PRIVATE_USE) {
      return "an invisible, unassigned or private-use character";
    }
    return "'" + new String(Character.toChars(c)) + "'";
  }
}
