package io.kieworker.cli;

import io.kieworker.config.ConfigException;
import io.kieworker.config.ConfigLoader;
import io.kieworker.config.ConfigValues;
import io.kieworker.config.SettingsDocs;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code kie-worker config}: every setting's effective value (secrets shown as ****) and where it
 * came from (environment, file, default), then the problems {@code run} would stop on, if any.
 */
@Command(name = "config", mixinStandardHelpOptions = true,
    description = {"Prints every setting's effective value and its source (environment, file, default),",
        "secrets masked, then checks them as `run` would. Exit status 0 when valid, 2 otherwise."})
public final class ConfigCommand implements Callable<Integer> {
  @Mixin ConfigOption config;

  @Override
  public Integer call() {
    ConfigValues values;
    try {
      values = ConfigLoader.values(config.file(), System.getenv());
    } catch (ConfigException e) {
      return invalid(e);
    }
    System.out.printf("%-30s %-40s %s%n", "VARIABLE", "VALUE", "SOURCE");
    SettingsDocs.effective(values).forEach(System.out::println);
    try {
      ConfigLoader.load(config.file(), System.getenv());
      System.out.println("configuration is valid");
      return 0;
    } catch (ConfigException e) {
      return invalid(e);
    }
  }

  private static int invalid(ConfigException e) {
    System.out.println("invalid configuration:");
    e.problems().forEach(p -> System.out.println("  - " + p));
    return 2;
  }
}
