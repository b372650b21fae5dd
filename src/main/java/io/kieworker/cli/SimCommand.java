package io.kieworker.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** PLACEHOLDER — the simulator command is being written. */
@Command(name = "sim", mixinStandardHelpOptions = true, description = "Runs a local Kie.ai simulator.")
public final class SimCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    return 1;
  }
}
