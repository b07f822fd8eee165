package dev.palisade.cli;

import dev.palisade.cli.logging.LogFormat;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The one entry point behind ./palisade: every subcommand hangs off this. Its help and version
 * options are inherited by every subcommand at any depth (scope INHERIT), so a new one answers
 * --help without remembering to; exit codes are {@link ExitCodes}.
 */
@Command(
    name = "palisade",
    scope = CommandLine.ScopeType.INHERIT,
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Application-aware microsegmentation firewall for Kubernetes.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:ok", "1:a check failed or the controller refused", "2:usage error",
        "3:cannot reach the controller or authenticate to it"},
    subcommands = {ControllerCommand.class, AgentCommand.class, DoctorCommand.class, DemoCommand.class, LabCommand.class, ScenarioCommand.class, CiCommand.class,
        ReviewCommands.Graph.class, ReviewCommands.Approve.class, ReviewCommands.Reject.class, ReviewCommands.Mode.class,
        ReviewCommands.Policy.class, ReviewCommands.Audit.class, WhyCommand.class, RequestCommand.class, TlsCommand.class, VersionCommand.class, CompletionCommand.class,
        CommandLine.HelpCommand.class})
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Set by the lab for the processes it supervises: the pid whose death ends this process too. */
  static final String EXIT_WITH = "PALISADE_EXIT_WITH_PID";

  public static void main(String[] args) {
    try {
      LogFormat.select(System.getenv(LogFormat.ENV)); // before any class below makes a logger
    } catch (IllegalArgumentException e) {
      System.err.println("palisade: " + e.getMessage());
      System.exit(ExitCodes.USAGE);
    }
    exitWithParent(System.getenv(EXIT_WITH));
    System.exit(commandLine().execute(args));
  }

  /** The command tree as main runs it: tests use this to see the same help, handlers and codes. */
  static CommandLine commandLine() {
    return new CommandLine(new Main()).setExecutionExceptionHandler(new ExitCodes.Handler());
  }

  /**
   * A lab killed with -9 cannot stop its controller and agents; they stop themselves when it is gone,
   * as containers go with their pod sandbox (the agent's table stays in the node, as after any crash).
   */
  static void exitWithParent(String pid) {
    if (pid == null || pid.isBlank()) {
      return;
    }
    Optional<ProcessHandle> parent = ProcessHandle.of(Long.parseLong(pid.strip()));
    if (parent.isEmpty()) {
      System.exit(1);
    }
    parent.get().onExit().thenRun(() -> {
      System.err.println("palisade: process " + pid + " that supervised this one is gone; exiting");
      // shutdown hooks get 10 s: one waiting on the vanished lab's API server must not keep us alive
      Thread halt = new Thread(() -> {
        try {
          Thread.sleep(10_000);
        } catch (InterruptedException e) {
          return;
        }
        Runtime.getRuntime().halt(1);
      }, "halt-after-parent");
      halt.setDaemon(true);
      halt.start();
      System.exit(1);
    });
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
