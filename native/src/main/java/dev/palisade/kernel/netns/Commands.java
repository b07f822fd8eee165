package dev.palisade.kernel.netns;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a system command (ip, nft, conntrack) with a timeout; a failure names the command and its stderr. */
public final class Commands {
  private Commands() {}

  public record Result(int exitCode, String stdout, String stderr) {}

  public static String run(String... command) {
    Result r = runAllowingFailure(command);
    if (r.exitCode() != 0) {
      throw new CommandException(
          "`" + String.join(" ", command) + "` exited " + r.exitCode() + ": " + r.stderr().strip());
    }
    return r.stdout();
  }

  public static Result runAllowingFailure(String... command) {
    ProcessBuilder pb = new ProcessBuilder(List.of(command));
    try {
      Process p = pb.start();
      p.getOutputStream().close();
      // Read both streams fully; the commands used here print little.
      var out = p.getInputStream().readAllBytes();
      var err = p.getErrorStream().readAllBytes();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new CommandException("`" + String.join(" ", command) + "` timed out after 30 s");
      }
      return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8),
          new String(err, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new CommandException("cannot run `" + String.join(" ", command) + "`: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CommandException("interrupted running `" + String.join(" ", command) + "`", e);
    }
  }

  public static final class CommandException extends RuntimeException {
    public CommandException(String message) { super(message); }
    public CommandException(String message, Throwable cause) { super(message, cause); }
  }
}
