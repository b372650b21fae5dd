package io.kieworker.testing;

import io.kieworker.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** Runs a production-jar command in this JVM as {@code java -jar kie-worker.jar …} would. */
public final class Cli {
  /** The exit status and everything the command printed (standard out and error together). */
  public record Run(int exit, String out) {}

  private Cli() {}

  public static Run run(String... args) {
    StringWriter out = new StringWriter();
    CommandLine cli = Main.configure(new CommandLine(new Main()));
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(out, true));
    int exit = cli.execute(args);
    return new Run(exit, out.toString());
  }
}
