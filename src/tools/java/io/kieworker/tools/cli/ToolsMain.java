package io.kieworker.tools.cli;

import io.kieworker.cli.ConfigCommand;
import io.kieworker.cli.DlqCommand;
import io.kieworker.cli.RunCommand;
import io.kieworker.cli.SimCommand;
import io.kieworker.cli.VersionProvider;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of {@code kie-worker-tools.jar}: the production subcommands plus the ones that need an
 * embedded Kafka broker ({@code demo}, {@code bench}). The production jar ({@code kie-worker.jar},
 * {@link io.kieworker.cli.Main}) carries no broker and none of this package.
 */
@Command(
    name = "kie-worker-tools",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "kie-worker with its tools: the demo and the benchmarks (embedded Kafka broker included).",
    subcommands = {RunCommand.class, ConfigCommand.class, SimCommand.class, DemoCommand.class, DlqCommand.class,
        BenchCommand.class, CommandLine.HelpCommand.class})
public final class ToolsMain implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    io.kieworker.logging.LogFormat.selectFor(args);
    System.exit(io.kieworker.cli.Main.configure(new CommandLine(new ToolsMain())).execute(args));
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
