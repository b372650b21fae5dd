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
    subcommands = {RunCommand.class, SimCommand.class, DlqCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    io.kieworker.logging.LogFormat.selectFor(args);
    System.exit(new CommandLine(new Main()).execute(args));
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
