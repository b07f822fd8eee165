package dev.palisade.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

/** `palisade version`: the same lines as `palisade --version`, as kubectl and helm have both. */
@Command(name = "version", description = "Print the palisade version and the Java runtime.")
final class VersionCommand implements Runnable {
  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.root().commandLine().printVersionHelp(spec.commandLine().getOut());
    spec.commandLine().getOut().flush();
  }
}
