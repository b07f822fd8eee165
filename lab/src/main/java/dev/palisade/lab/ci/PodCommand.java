package dev.palisade.lab.ci;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The app's own command (`--exec POD -- CMD`, typically its integration tests) run inside a pod's
 * network namespace. Unlike the lab's system commands (ip, nft: short, quiet, capped at 30 s) it
 * may run for many minutes and print a lot: its output is streamed to the run's log as it comes
 * (a CI shows the tests' progress, and a full pipe never stalls them), and it is stopped only by
 * {@code --exec-timeout}, with every process it started.
 */
final class PodCommand {
  static final Duration DEFAULT_TIMEOUT = Duration.ofHours(1);
  private static final Pattern DURATION = Pattern.compile("([1-9][0-9]{0,5})(s|m|h)");

  private PodCommand() {}

  /** {@code 90s}, {@code 30m}, {@code 2h}; anything else is bad input naming the option. */
  static Duration parseTimeout(String text) {
    Matcher m = DURATION.matcher(text == null ? "" : text.strip());
    if (!m.matches()) {
      throw new CiInputException("--exec-timeout: '" + text + "' is not a duration like 90s, 30m or 2h");
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      default -> Duration.ofHours(n);
    };
  }

  /**
   * Runs {@code command} in network namespace {@code netns}, each output line copied to
   * {@code out} behind {@code "  | "}; returns its exit code.
   *
   * @throws IllegalStateException if it cannot start, or runs longer than {@code timeout} (then
   *     it and its descendants are killed first)
   */
  static int run(String netns, List<String> command, Duration timeout, PrintStream out) {
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", netns));
    full.addAll(command);
    Process p;
    try {
      p = new ProcessBuilder(full).redirectErrorStream(true).start();
      p.getOutputStream().close();
    } catch (IOException e) {
      throw new IllegalStateException("cannot start " + String.join(" ", command) + ": " + e.getMessage(), e);
    }
    Thread copier = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          out.println("  | " + line);
        }
      } catch (IOException e) {
        // the process was killed: its output ends here
      }
    }, "palisade-ci-exec-output");
    copier.setDaemon(true);
    copier.start();
    try {
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        throw new IllegalStateException(String.join(" ", command) + " did not finish within " + timeout.toSeconds()
            + " s (--exec-timeout)");
      }
      copier.join(TimeUnit.SECONDS.toMillis(5));
      return p.exitValue();
    } catch (InterruptedException e) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running " + String.join(" ", command), e);
    }
  }
}
