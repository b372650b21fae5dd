package io.kieworker.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code -c/--config FILE}: the same configuration file for every command that reads settings. */
public final class ConfigOption {
  static final Path LOCAL = Path.of("conf/application.yaml");

  @Option(names = {"-c", "--config"}, paramLabel = "FILE",
      description = "YAML settings file (default: conf/application.yaml if present); environment variables win")
  Path config;

  /** The file to read, or null when none was named and there is no conf/application.yaml here. */
  public Path file() {
    if (config != null) {
      return config;
    }
    return LOCAL.toFile().isFile() ? LOCAL : null;
  }
}
