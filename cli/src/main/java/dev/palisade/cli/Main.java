package dev.palisade.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The one entry point behind ./palisade: every subcommand hangs off this. */
@Command(
    name = "palisade",
    mixinStandardHelpOptions = true,
    version = "palisade 0.1.0-SNAPSHOT",
    description = "Application-aware microsegmentation firewall for Kubernetes.",
    subcommands = {ControllerCommand.class, AgentCommand.class, DoctorCommand.class, DemoCommand.class, LabCommand.class, ScenarioCommand.class,
        ReviewCommands.Graph.class, ReviewCommands.Approve.class, ReviewCommands.Reject.class, ReviewCommands.Mode.class,
        ReviewCommands.Policy.class, ReviewCommands.Audit.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(new CommandLine(new Main()).execute(args));
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
