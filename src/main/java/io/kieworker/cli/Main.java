package io.kieworker.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of the production jar {@code kie-worker.jar}: the worker, the simulator and the DLQ
 * tool. The demo and the benchmarks need an embedded broker and live in {@code kie-worker-tools.jar}
 * ({@code io.kieworker.tools.cli.ToolsMain}).
 */
@Command(
    name = "kie-worker",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Runs Kie.ai Nano Banana image generation behind Kafka.",
    subcommands = {RunCommand.class, ConfigCommand.class, SimCommand.class, DlqCommand.class,
        CommandLine.HelpCommand.class})
public final class Main implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    io.kieworker.logging.LogFormat.selectFor(args);
    System.exit(io.kieworker.cli.Main.configure(new CommandLine(new Main())).execute(args));
  }

  /**
   * What every entry point shares: one duration syntax for every option ({@code 250ms}, {@code 60s},
   * {@code 15m}: {@link io.kieworker.config.Durations}) and the settings table under {@code run --help}.
   */
  public static CommandLine configure(CommandLine commandLine) {
    commandLine.registerConverter(java.time.Duration.class, DurationConverter.INSTANCE);
    CommandLine run = commandLine.getSubcommands().get("run");
    if (run != null) {
      run.setUsageHelpWidth(140);
      run.getCommandSpec().usageMessage().footer(settingsFooter());
    }
    return commandLine;
  }

  private static String[] settingsFooter() {
    java.util.List<String> lines = new java.util.ArrayList<>(java.util.List.of("", "Settings (environment variable, default, meaning):"));
    for (io.kieworker.config.Setting<?> s : io.kieworker.config.Settings.all()) {
      lines.add(String.format("  %-28s %-12s %s", s.env(), s.defaultText() == null ? "unset" : s.defaultText(),
          s.description()));
    }
    return lines.toArray(String[]::new);
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
