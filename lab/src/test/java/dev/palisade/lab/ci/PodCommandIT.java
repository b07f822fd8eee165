package dev.palisade.lab.ci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.kernel.netns.Commands;
import dev.palisade.testkit.KernelTest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The app's --exec command in a network namespace of its own: long, loud, failing or hung. */
@KernelTest
class PodCommandIT {
  private final String ns = "pal-podcmd" + ProcessHandle.current().pid() % 100000;
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

  @BeforeEach
  void namespace() {
    Commands.run("ip", "netns", "add", ns);
  }

  @AfterEach
  void remove() {
    Commands.runAllowingFailure("ip", "netns", "delete", ns);
  }

  @Test
  void aLoudFailingCommandIsStreamedWholeAndItsExitCodeReturned() {
    // 20,000 lines on stdout and stderr: far more than a pipe holds, so an unread stream would stall it
    int exit = PodCommand.run(ns, List.of("sh", "-c", "for i in $(seq 1 20000); do echo out $i; echo err $i >&2; done;"
        + " exit 3"), Duration.ofMinutes(2), out);
    assertEquals(3, exit);
    String text = bytes.toString(StandardCharsets.UTF_8);
    assertTrue(text.contains("  | out 20000\n") && text.contains("  | err 20000\n"), "every line copied");
  }

  @Test
  void itRunsInsideTheNamespace() {
    assertEquals(0, PodCommand.run(ns, List.of("sh", "-c", "ip -o link show | wc -l"), Duration.ofSeconds(30), out));
    assertTrue(bytes.toString(StandardCharsets.UTF_8).contains("  | 1\n"), "only lo in a fresh namespace: " + bytes);
  }

  @Test
  void aHungCommandIsStoppedAtTheTimeoutWithWhatItStarted() throws Exception {
    String marker = "3" + ProcessHandle.current().pid() % 1000 + "7";
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> PodCommand.run(ns,
        List.of("sh", "-c", "sleep " + marker + " & sleep " + marker), Duration.ofSeconds(1), out));
    assertTrue(e.getMessage().contains("did not finish within 1 s (--exec-timeout)"), e.getMessage());
    Thread.sleep(200);
    assertTrue(ProcessHandle.allProcesses().noneMatch(p -> p.info().commandLine().orElse("").equals("sleep " + marker)),
        "no sleep " + marker + " left");
  }

  @Test
  void theTimeoutIsStrict() {
    assertEquals(Duration.ofSeconds(90), PodCommand.parseTimeout("90s"));
    assertEquals(Duration.ofMinutes(30), PodCommand.parseTimeout("30m"));
    assertEquals(Duration.ofHours(2), PodCommand.parseTimeout("2h"));
    for (String bad : new String[] {"", "0s", "10", "1d", "-5m", "PT1H", "5 m"}) {
      CiInputException e = assertThrows(CiInputException.class, () -> PodCommand.parseTimeout(bad), bad);
      assertTrue(e.getMessage().startsWith("--exec-timeout: "), e.getMessage());
    }
  }
}
