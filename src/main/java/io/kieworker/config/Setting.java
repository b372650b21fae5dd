package io.kieworker.config;

import java.util.List;

/**
 * One configuration setting, declared once in {@link Settings}: where it sits in the YAML file, the
 * environment variable that overrides it, its default, what it means and how its text is checked.
 * The same declaration binds it, validates it, prints it ({@code kie-worker config},
 * {@code run --help}) and makes the README table and {@code conf/application.yaml}.
 *
 * @param path dotted key in the YAML file, e.g. {@code worker.deadline}
 * @param env the environment variable that overrides the file, e.g. {@code WORKER_DEADLINE}
 * @param defaultText the default as an operator would write it, or null for "unset"
 * @param type what the value must look like, in words (README "type" column)
 * @param description one line for the README and {@code --help}
 * @param secret never printed: {@code config} and {@code toString} show {@code ****}
 */
public record Setting<T>(String path, String env, String defaultText, String type, String description,
    boolean secret, Parser<T> parser) {

  /** Turns a value's text into T, or adds a problem (with the setting's label) and returns null. */
  @FunctionalInterface
  public interface Parser<T> {
    T parse(String text, String label, List<String> problems);
  }

  /** The YAML section: {@code kafka}, {@code topics}, {@code kie}, {@code http} or {@code worker}. */
  public String section() {
    return path.substring(0, path.indexOf('.'));
  }

  /** The key inside its section. */
  public String key() {
    return path.substring(path.indexOf('.') + 1);
  }

  /** "WORKER_DEADLINE (worker.deadline)": how problems name the setting. */
  public String label() {
    return env + " (" + path + ")";
  }
}
