package dev.palisade.kernel.netns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Commands}' runner: the timeout holds while the command runs (it used to read the output to
 * its end first, so a hung command hung the caller) and output bigger than a pipe is read whole.
 * The preemptive bounds are hang checks, far above what each call takes.
 */
class CommandsTest {
  /** Far above any of these calls, below the 30 s a hung one would take. */
  private static final Duration HANG = Duration.ofSeconds(20);
  private static final int MIB = 1 << 20;
  /** Time enough for a shell to start and print a line, even on a loaded CI machine. */
  private static final Duration STARTED = Duration.ofSeconds(3);

  @Test
  void aCommandThatDoesNotEndIsKilledWithItsChildrenAtTheTimeout(@TempDir Path dir) throws Exception {
    Path pids = dir.resolve("pids");
    // the shell, and a child of it holding stdout open as a hung ip or gcc would
    ProcessBuilder pb = new ProcessBuilder("sh", "-c",
        "echo $$ > " + pids + "; sleep 30 & echo $! >> " + pids + "; echo started; wait");
    Commands.CommandException e = assertTimeoutPreemptively(HANG,
        () -> assertThrows(Commands.CommandException.class, () -> Commands.runAllowingFailure(pb, STARTED)));
    assertTrue(e.getMessage().startsWith("`sh -c echo $$ > " + pids), e.getMessage());
    assertTrue(e.getMessage().contains("timed out after 3 s: killed it and its descendants: started"), e.getMessage());
    List<Long> started = Files.readAllLines(pids).stream().map(Long::parseLong).toList();
    assertEquals(2, started.size(), started::toString);
    assertTimeoutPreemptively(HANG, () -> {
      for (long pid : started) {
        while (!ended(pid)) {
          Thread.sleep(20);
        }
      }
    }, () -> "still running after the timeout: " + started);
  }

  /**
   * Two outcomes, both within the bound, and which one comes is a race the JDK runs: when the shell
   * exits before a reader thread is blocked in read(), the JDK's process reaper drains what is in
   * the pipe and closes it (ProcessPipeInputStream.processExited), so the call returns what the
   * shell printed; when a reader is already blocked, the pipe stays open as long as the child lives
   * and the call gives up at the timeout, saying why. A loaded machine (CI) sees the first.
   */
  @Test
  void aChildLeftHoldingTheOutputAfterTheCommandExitedDoesNotHoldTheCaller(@TempDir Path dir) throws Exception {
    Path pid = dir.resolve("pid");
    ProcessBuilder pb = new ProcessBuilder("sh", "-c", "sleep 30 & echo $! > " + pid + "; echo gone");
    try {
      Object outcome = assertTimeoutPreemptively(HANG, () -> {
        try {
          return Commands.runAllowingFailure(pb, Duration.ofSeconds(1));
        } catch (Commands.CommandException e) {
          return e;
        }
      });
      if (outcome instanceof Commands.Result r) {
        assertEquals(new Commands.Result(0, "gone\n", ""), r);
      } else {
        String message = ((Commands.CommandException) outcome).getMessage();
        assertTrue(message.contains("exited 0 but a process it started still held its output open 1 s after it "
            + "began: not read further"), message);
      }
    } finally {
      ProcessHandle.of(Long.parseLong(Files.readString(pid).strip())).ifPresent(ProcessHandle::destroyForcibly);
    }
  }

  @Test
  void outputBeyondThePipeBufferOnBothStreamsIsReadWhole() {
    // 1 MiB on stdout then 1 MiB on stderr: read one stream to its end first and the command
    // blocks on the other's full pipe while the reader waits for an end that never comes
    ProcessBuilder pb = new ProcessBuilder("sh", "-c",
        "head -c " + MIB + " /dev/zero | tr '\\0' a; head -c " + MIB + " /dev/zero | tr '\\0' b >&2; exit 3");
    Commands.Result r = assertTimeoutPreemptively(HANG, () -> Commands.runAllowingFailure(pb, Duration.ofSeconds(30)));
    assertEquals(3, r.exitCode());
    assertEquals("a".repeat(MIB), r.stdout());
    assertEquals("b".repeat(MIB), r.stderr());
  }

  @Test
  void mergedStreamsComeAsStdout() {
    ProcessBuilder pb = new ProcessBuilder("sh", "-c", "echo out; echo err >&2").redirectErrorStream(true);
    Commands.Result r = Commands.runAllowingFailure(pb, Duration.ofSeconds(30));
    assertEquals(new Commands.Result(0, "out\nerr\n", ""), r);
  }

  @Test
  void aFailedCommandKeepsItsExitCodeAndRunNamesItsStderr() {
    assertEquals(new Commands.Result(4, "o\n", "e\n"),
        Commands.runAllowingFailure("sh", "-c", "echo o; echo e >&2; exit 4"));
    Commands.CommandException e = assertThrows(Commands.CommandException.class,
        () -> Commands.run("sh", "-c", "echo no such thing >&2; exit 2"));
    assertEquals("`sh -c echo no such thing >&2; exit 2` exited 2: no such thing", e.getMessage());
    assertEquals("fine\n", Commands.run("echo", "fine"));
  }

  @Test
  void aCommandThatCannotStartSaysSo() {
    Commands.CommandException e = assertThrows(Commands.CommandException.class,
        () -> Commands.runAllowingFailure("/nonexistent/palisade-no-such-command"));
    assertTrue(e.getMessage().startsWith("cannot run `/nonexistent/palisade-no-such-command`: "), e.getMessage());
  }

  /** Gone, or a zombie (dead; whoever it was left to may not reap it at once). */
  private static boolean ended(long pid) throws IOException {
    Path stat = Path.of("/proc", Long.toString(pid), "stat");
    try {
      String s = Files.readString(stat);
      return s.charAt(s.lastIndexOf(')') + 2) == 'Z';
    } catch (java.nio.file.NoSuchFileException e) {
      return true;
    }
  }
}
