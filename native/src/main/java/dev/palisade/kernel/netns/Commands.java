package dev.palisade.kernel.netns;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a system command (ip, nft, conntrack, gcc) with a timeout; a failure names the command and
 * its stderr. The timeout holds whatever the command does: its stdout and stderr are read on their
 * own threads while this waits for it, so a command that never ends (or prints more than a pipe
 * holds) cannot keep the caller waiting past it.
 */
public final class Commands {
  /** How long {@link #run} and {@link #runAllowingFailure(String...)} give a command. */
  public static final Duration TIMEOUT = Duration.ofSeconds(30);
  /**
   * After a command was killed, how long its output readers get to see the pipes close. A
   * descendant that left the process tree (setsid and fork) can keep them open: then this returns
   * without the rest of its output and leaves the reader threads (daemons) to end with it.
   */
  private static final Duration DRAIN_AFTER_KILL = Duration.ofSeconds(5);

  private Commands() {}

  /** How a command ended: its exit code and what it wrote (stderr empty when merged into stdout). */
  public record Result(int exitCode, String stdout, String stderr) {}

  public static String run(String... command) {
    Result r = runAllowingFailure(command);
    if (r.exitCode() != 0) {
      throw new CommandException(
          "`" + String.join(" ", command) + "` exited " + r.exitCode() + ": " + r.stderr().strip());
    }
    return r.stdout();
  }

  /** The command's exit code and output, whatever the exit code; throws when it cannot run or takes over 30 s. */
  public static Result runAllowingFailure(String... command) {
    return runAllowingFailure(new ProcessBuilder(List.of(command)), TIMEOUT);
  }

  /**
   * Starts {@code pb} (its environment, directory and redirectErrorStream as the caller set them),
   * closes its stdin, reads its stdout and stderr whole and waits up to {@code timeout} for it to
   * end and for its output to close. Past that it and its descendants are killed and this throws a
   * {@link CommandException} naming the command and the timeout, with the end of what it had
   * printed. Any exit code is returned, not thrown. A descendant left holding the output after the
   * command exited ends the read at the same deadline; but if the command exited before a reader was
   * blocked on its pipe, the JDK has drained and closed that pipe already and the call returns what
   * the command printed (the descendant's later output is then not read).
   */
  public static Result runAllowingFailure(ProcessBuilder pb, Duration timeout) {
    String name = "`" + String.join(" ", pb.command()) + "`";
    long deadline = System.nanoTime() + timeout.toNanos();
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new CommandException("cannot run " + name + ": " + e.getMessage(), e);
    }
    Drain out = new Drain(p.getInputStream(), "stdout", p.pid());
    Drain err = new Drain(p.getErrorStream(), "stderr", p.pid());
    try {
      try {
        p.getOutputStream().close();
      } catch (IOException e) {
        // it ended already: its exit code and output say how
      }
      boolean exited = p.waitFor(remaining(deadline), TimeUnit.NANOSECONDS);
      if (!exited) {
        destroyTree(p.toHandle());
        out.await(DRAIN_AFTER_KILL.toNanos());
        err.await(DRAIN_AFTER_KILL.toNanos());
        throw new CommandException(name + " timed out after " + format(timeout)
            + ": killed it and its descendants" + tail(out.text() + err.text()));
      }
      if (!(out.await(remaining(deadline)) && err.await(remaining(deadline)))) {
        throw new CommandException(name + " exited " + p.exitValue() + " but a process it started still held its "
            + "output open " + format(timeout) + " after it began: not read further" + tail(out.text() + err.text()));
      }
      return new Result(p.exitValue(), out.text(), err.text());
    } catch (InterruptedException e) {
      destroyTree(p.toHandle());
      Thread.currentThread().interrupt();
      throw new CommandException("interrupted running " + name + ": killed it", e);
    }
  }

  /** Kills {@code h} and then its descendants (each one's children listed before it dies and they move to init). */
  private static void destroyTree(ProcessHandle h) {
    List<ProcessHandle> children = h.children().toList();
    h.destroyForcibly();
    children.forEach(Commands::destroyTree);
  }

  private static long remaining(long deadline) {
    return Math.max(0, deadline - System.nanoTime());
  }

  private static String format(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }

  private static String tail(String output) {
    String s = output.strip();
    if (s.isEmpty()) {
      return "";
    }
    return ": " + (s.length() <= 2000 ? s : "..." + s.substring(s.length() - 2000));
  }

  /** One of the process's output streams, read to its end on a thread of its own. */
  private static final class Drain {
    private final Thread thread;
    private volatile byte[] bytes = new byte[0];

    Drain(InputStream in, String which, long pid) {
      thread = new Thread(() -> {
        try (in) {
          bytes = in.readAllBytes();
        } catch (IOException e) {
          // the stream was closed under the reader: what came before is lost, the caller says why
        }
      }, "command-" + pid + "-" + which);
      thread.setDaemon(true);
      thread.start();
    }

    /** Whether the stream ended within {@code nanos}. */
    boolean await(long nanos) throws InterruptedException {
      TimeUnit.NANOSECONDS.timedJoin(thread, nanos);
      return !thread.isAlive();
    }

    String text() {
      return new String(bytes, StandardCharsets.UTF_8);
    }
  }

  public static final class CommandException extends RuntimeException {
    public CommandException(String message) { super(message); }
    public CommandException(String message, Throwable cause) { super(message, cause); }
  }
}
