package dev.palisade.lab.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.kernel.netns.NetNs;
import dev.palisade.lab.scenario.ScenarioRunner;
import dev.palisade.lab.scenario.ScenarioRunner.Result;
import dev.palisade.testkit.KernelTest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The upstream e2e model restated case by case (lab/src/test/resources/netpol), on the kernel: one
 * lab per case. Its own class (its own test JVM) rather than a method of {@link LabScenarioIT}:
 * every in-process lab used to leave ~12 file descriptors behind in the JVM (its pods' listening
 * sockets, and for two minutes its agents' HTTP client), and past 1,024 libnftables' select()
 * aborts the process; the ~60 labs of both classes in one JVM crossed it. Both are fixed and
 * {@link LabTeardownIT} checks it; the class stays apart as a margin.
 */
@KernelTest
class NetpolCorpusIT {
  private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
  private final ScenarioRunner runner = new ScenarioRunner(LabScenarioTarget::new,
      new PrintStream(printed, true, StandardCharsets.UTF_8));

  @AfterAll
  static void nothingLeftBehind() {
    String prefix = NetNs.PREFIX + "s" + (ProcessHandle.current().pid() % 100000) + "x";
    assertEquals(List.of(), NetNs.list(prefix), "every scenario's lab removed its namespaces");
  }

  @Test
  void netpolCorpusPasses() throws Exception {
    Path dir = Path.of(getClass().getResource("/netpol").toURI());
    List<Path> files = LabScenarioIT.yamlFiles(dir, "netpol-");
    assertTrue(files.size() >= 30, "at least 30 cases, found " + files.size());
    List<Result> results = runner.runFiles(files);
    String out = printed.toString(StandardCharsets.UTF_8);
    assertTrue(results.stream().allMatch(Result::passed), out);
    assertTrue(out.contains(files.size() + " passed, 0 failed"), out);
  }
}
