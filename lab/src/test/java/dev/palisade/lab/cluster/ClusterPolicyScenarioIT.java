package dev.palisade.lab.cluster;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.lab.scenario.ScenarioRunner;
import dev.palisade.lab.scenario.ScenarioRunner.Result;
import dev.palisade.testkit.KernelTest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The ClusterNetworkPolicy corpus (src/test/resources/cnp: upstream network-policy-api
 * conformance facts, restated) on the kernel: real namespaces, the agents' nftables, real
 * connections.
 */
@KernelTest
class ClusterPolicyScenarioIT {
  private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
  private static final java.util.concurrent.atomic.AtomicInteger SEQ = new java.util.concurrent.atomic.AtomicInteger();
  /** Labs named for this suite (namespaces pal-cnp19xN-*), so a leftover is easy to tell apart. */
  private static final String LAB = "cnp19x";
  private final ScenarioRunner runner = new ScenarioRunner(() -> new LabScenarioTarget(LAB + SEQ.incrementAndGet()),
      new PrintStream(printed, true, StandardCharsets.UTF_8));

  @org.junit.jupiter.api.AfterAll
  static void nothingLeftBehind() {
    org.junit.jupiter.api.Assertions.assertEquals(List.of(), dev.palisade.kernel.netns.NetNs.list(
        dev.palisade.kernel.netns.NetNs.PREFIX + LAB), "every scenario's lab removed its namespaces");
  }

  @Test
  void clusterPolicyCorpusPasses() throws Exception {
    Path dir = Path.of(getClass().getResource("/cnp").toURI());
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(p -> p.getFileName().toString().startsWith("cnp-") && p.toString().endsWith(".yaml"))
          .sorted().toList();
    }
    assertTrue(files.size() >= 5, "at least 5 cases, found " + files.size());
    List<Result> results = runner.runFiles(files);
    String out = printed.toString(StandardCharsets.UTF_8);
    assertTrue(results.stream().allMatch(Result::passed), out);
    assertTrue(out.contains(files.size() + " passed, 0 failed"), out);
  }
}
