package io.kieworker.logging;

/**
 * Chooses the log format before logback starts: {@code LOG_FORMAT=json|text}. Unset, {@code run}
 * logs JSON (containers, log pipelines) and everything else (demo, sim, tests) readable text.
 * logback.xml reads the system property {@code LOG_FORMAT}, which falls back to the environment.
 */
public final class LogFormat {
  public static final String PROPERTY = "LOG_FORMAT";

  private LogFormat() {}

  /** Call first thing in main, before any logger exists. */
  public static void selectFor(String[] args) {
    if (System.getProperty(PROPERTY) != null) {
      return;
    }
    String env = System.getenv(PROPERTY);
    String format = env != null && !env.isBlank() ? env.trim().toLowerCase()
        : args.length > 0 && "run".equals(args[0]) ? "json" : "text";
    System.setProperty(PROPERTY, "json".equals(format) ? "json" : "text");
  }
}
