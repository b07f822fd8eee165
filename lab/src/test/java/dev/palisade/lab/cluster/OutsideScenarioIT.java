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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The outside scenarios (src/test/resources/outside) on the kernel, in learn mode: pods reach
 * outside hosts by address and by DNS name while set-dns moves the name, and outside hosts reach
 * a NodePort frontend at a node's address. Real namespaces, the agents' nftables, real connections.
 */
@KernelTest
class OutsideScenarioIT {
  /** Labs named for this suite (namespaces pal-out22xN-*), so a leftover is easy to tell apart. */
  private static final String LAB = "out22x";
  private static final AtomicInteger SEQ = new AtomicInteger();
  private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
  private final ScenarioRunner runner = new ScenarioRunner(() -> new LabScenarioTarget(LAB + SEQ.incrementAndGet()),
      new PrintStream(printed, true, StandardCharsets.UTF_8));

  @AfterAll
  static void nothingLeftBehind() {
    assertEquals(List.of(), NetNs.list(NetNs.PREFIX + LAB), "every scenario's lab removed its namespaces, outside too");
  }

  @Test
  void outsideScenariosPassInLearnMode() throws Exception {
    Path dir = Path.of(getClass().getResource("/outside").toURI());
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    assertTrue(files.size() >= 2, "at least 2 scenarios, found " + files.size());
    List<Result> results = runner.runFiles(files);
    String out = printed.toString(StandardCharsets.UTF_8);
    assertTrue(results.stream().allMatch(Result::passed), out);
    assertTrue(out.contains(files.size() + " passed, 0 failed"), out);
  }

  /**
   * Issue 22's done-when, on the kernel: dns:NAME learned while its answer alternates, approved,
   * enforced; 200 connections across answer changes pass, everything else to and from outside drops.
   */
  @Test
  void anApprovedNameIsEnforcedAcrossAnswerChanges() throws Exception {
    Path file = Path.of(getClass().getResource("/outside-enforce/dns-approved.yaml").toURI());
    List<Result> results = runner.runFiles(List.of(file));
    String out = printed.toString(StandardCharsets.UTF_8);
    assertTrue(results.stream().allMatch(Result::passed), out);
    assertTrue(out.contains("1 passed, 0 failed"), out);
  }
}
