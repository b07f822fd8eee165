package dev.palisade.cli;

import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * The exit codes of every palisade command, in one place so scripts can rely on them:
 * <pre>
 *   0  ok
 *   1  a check failed or the controller refused (a scenario failed, 404, 400, 409)
 *   2  usage error: unknown option, missing or malformed argument (picocli's own code)
 *   3  cannot reach or authenticate: connection refused or timed out, no URL or token, 401, 403
 * </pre>
 * Commands throw; {@link Handler} turns what they throw into a one-line message and a code.
 */
final class ExitCodes {
  static final int OK = 0;
  static final int FAILED = 1;
  static final int USAGE = CommandLine.ExitCode.USAGE;
  static final int NO_ACCESS = 3;

  private ExitCodes() {}

  /** The code for what a command threw. */
  static int of(Throwable e) {
    if (e instanceof ApiClient.NoAccess) {
      return NO_ACCESS;
    }
    if (e instanceof CommandLine.ParameterException) {
      return USAGE;
    }
    return FAILED;
  }

  /** True for failures whose message says all the user needs; anything else is a bug and keeps its trace. */
  static boolean explained(Throwable e) {
    return e instanceof ApiClient.ApiError || e instanceof IllegalArgumentException || e instanceof IllegalStateException
        || e instanceof java.io.UncheckedIOException;
  }

  /** Installed on the root command: one line "palisade SUBCOMMAND: message" on stderr, and the code. */
  static final class Handler implements IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception e, CommandLine command, ParseResult parsed) {
      var err = command.getErr();
      if (explained(e)) {
        err.println(command.getCommandSpec().qualifiedName() + ": " + e.getMessage());
      } else {
        err.println(command.getCommandSpec().qualifiedName() + ": unexpected error");
        e.printStackTrace(err);
      }
      err.flush();
      return of(e);
    }
  }
}
