package io.kieworker.request;

/**
 * The rules a request's own {@code requestId} must follow. The id becomes a Kafka key, a ledger
 * key, a path segment of the callback URL and (sanitized) part of an upload path, so it must be
 * short, visible and free of URL delimiters: letters, combining marks and digits of any script
 * (ids like {@code order-张三} are fine) and the ASCII characters {@link #PUNCTUATION}. Pure and
 * thread-safe.
 */
public final class RequestIds {
  /**
   * Longest id, in characters (code points). Kie.ai stores the callback URL, where a non-ASCII
   * character costs up to 12 bytes percent-encoded; 200 keeps that URL under about 2.5 KB.
   */
  public static final int MAX_LENGTH = 200;

  /** ASCII characters allowed besides letters and digits: none of them delimits a URL path. */
  public static final String PUNCTUATION = "-_.:@~+=,";

  static final String ALLOWED = "allowed: letters and digits of any script, combining marks and "
      + String.join(" ", PUNCTUATION.split(""));

  private RequestIds() {}

  /** Why {@code id} is not a valid request id, as a sentence naming the rule, or null when it is valid. */
  public static String problem(String id) {
    if (id.isBlank()) {
      return "must not be blank; leave it out to use <topic>-<partition>-<offset>";
    }
    int length = id.codePointCount(0, id.length());
    if (length > MAX_LENGTH) {
      return "must be at most " + MAX_LENGTH + " characters, got " + length;
    }
    if (id.equals(".") || id.equals("..")) {
      return "must not be \".\" or \"..\" (a dot segment would change the callback URL's path)";
    }
    int position = 1;
    for (int i = 0; i < id.length(); i += Character.charCount(id.codePointAt(i)), position++) {
      String problem = characterProblem(id.codePointAt(i), position);
      if (problem != null) {
        return problem;
      }
    }
    return null;
  }

  private static String characterProblem(int c, int position) {
    if (allowed(c)) {
      return null;
    }
    String where = " (" + unicodeName(c) + " at character " + position + "); " + ALLOWED;
    int type = Character.getType(c);
    if (type == Character.CONTROL) {
      return "must not contain control characters" + where;
    }
    if (type == Character.FORMAT || type == Character.SURROGATE || type == Character.UNASSIGNED
        || type == Character.PRIVATE_USE) {
      return "must not contain invisible, unassigned or private-use characters" + where;
    }
    if (Character.isWhitespace(c) || Character.isSpaceChar(c)) {
      return "must not contain whitespace" + where;
    }
    return "must not contain '" + new String(Character.toChars(c)) + "'" + where;
  }

  private static boolean allowed(int c) {
    if (c < 0x80) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || PUNCTUATION.indexOf(c) >= 0;
    }
    int type = Character.getType(c);
    return Character.isLetter(c) || type == Character.DECIMAL_DIGIT_NUMBER
        || type == Character.NON_SPACING_MARK || type == Character.COMBINING_SPACING_MARK
        || type == Character.ENCLOSING_MARK;
  }

  private static String unicodeName(int c) {
    return String.format("U+%04X", c);
  }
}
