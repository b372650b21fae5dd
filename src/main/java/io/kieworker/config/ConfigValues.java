package io.kieworker.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * The text of every setting, resolved in one order: the setting's environment variable (when set
 * and non-empty), else the configuration file (placeholders filled), else the declared default.
 * Parsing happens in {@link #get}, which collects problems instead of throwing.
 */
public final class ConfigValues {
  /** Where a setting's text came from. */
  public enum Source { ENVIRONMENT, FILE, DEFAULT, UNSET }

  private final Map<String, String> env;
  private final Map<String, String> fileText;
  private final Map<String, String> fileEnvNames;
  private final Map<String, String> kafkaProperties;
  private final List<String> problems;

  ConfigValues(Map<String, String> env, Map<String, String> fileText, Map<String, String> fileEnvNames,
      Map<String, String> kafkaProperties, List<String> problems) {
    this.env = env;
    this.fileText = fileText;
    this.fileEnvNames = fileEnvNames;
    this.kafkaProperties = kafkaProperties;
    this.problems = new ArrayList<>(problems);
  }

  /** The setting's value, parsed; null (with a problem recorded) when it is invalid or missing but required. */
  public <T> T get(Setting<T> setting) {
    return setting.parser().parse(text(setting), label(setting), problems);
  }

  /** The trimmed text, or null when unset or blank. */
  public String text(Setting<?> setting) {
    String value = switch (source(setting)) {
      case ENVIRONMENT -> env.get(setting.env());
      case FILE -> fileText.get(setting.path());
      case DEFAULT -> setting.defaultText();
      case UNSET -> null;
    };
    return value == null || value.isBlank() ? null : value.trim();
  }

  public Source source(Setting<?> setting) {
    String fromEnv = env.get(setting.env());
    if (fromEnv != null && !fromEnv.isEmpty()) {
      return Source.ENVIRONMENT;
    }
    if (fileText.containsKey(setting.path())) {
      return Source.FILE;
    }
    if (fileEnvNames.containsKey(setting.path())) {
      return Source.UNSET; // the file names a variable without a default, and it is unset
    }
    return setting.defaultText() == null ? Source.UNSET : Source.DEFAULT;
  }

  /** "WORKER_DEADLINE (worker.deadline)", or the path alone for a literal written in the file. */
  public String label(Setting<?> setting) {
    if (source(setting) == Source.FILE) {
      String named = fileEnvNames.get(setting.path());
      return named == null ? setting.path() : named + " (" + setting.path() + ")";
    }
    return setting.label();
  }

  /** The file's {@code kafka.properties}, placeholders filled, unset ones left out. */
  public Map<String, String> kafkaProperties() {
    return Collections.unmodifiableMap(kafkaProperties);
  }

  void problem(String problem) {
    problems.add(problem);
  }

  List<String> problems() {
    return problems;
  }
}
