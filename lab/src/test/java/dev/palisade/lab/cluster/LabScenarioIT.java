package dev.palisade.lab.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.kernel.netns.NetNs;
import dev.palisade.lab.scenario.ScenarioRunner;
import dev.palisade.lab.scenario.ScenarioRunner.Result;
import dev.palisade.testkit.KernelTest;
import dev.palisade.testkit.SharedExamples;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Scenarios end to end on the lab: real namespaces, real connections. */
@KernelTest
class LabScenarioIT {
  private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
  private final ScenarioRunner runner = new ScenarioRunner(LabScenarioTarget::new,
      new PrintStream(printed, true, StandardCharsets.UTF_8));

  @TempDir Path tmp;

  @AfterAll
  static void nothingLeftBehind() {
    String prefix = NetNs.PREFIX + "s" + (ProcessHandle.current().pid() % 100000) + "x";
    assertEquals(List.of(), NetNs.list(prefix),
        "every scenario's lab removed its namespaces");
  }

  private Path resource(String name, String nodes) throws Exception {
    String text = new String(getClass().getResourceAsStream("/scenarios/" + name).readAllBytes(), StandardCharsets.UTF_8);
    Path f = tmp.resolve(name.replace(".yaml", "-" + nodes + ".yaml"));
    Files.writeString(f, text.replace("NODES", nodes));
    return f;
  }

  private String out() {
    return printed.toString(StandardCharsets.UTF_8);
  }

  @Test
  void allAllowedTopologyPassesOnOneAndThreeNodes() throws Exception {
    List<Result> results = runner.runFiles(List.of(resource("all-allowed.yaml", "1"), resource("all-allowed.yaml", "3")));
    assertTrue(results.stream().allMatch(Result::passed), out());
    assertTrue(out().contains("2 passed, 0 failed"), out());
  }

  @Test
  void aWrongExpectationFailsAndNamesTheCell() throws Exception {
    List<Result> results = runner.runFiles(List.of(resource("wrong-expectation.yaml", "1")));
    assertFalse(results.get(0).passed());
    assertTrue(out().contains("x/a") && out().contains("x/b"), out());
    assertTrue(out().contains("0 passed, 1 failed"), out());
  }

  @Test
  void workloadsServicesScaleRolloutAndDelete() throws Exception {
    List<Result> results = runner.runFiles(List.of(resource("workloads.yaml", "3")));
    assertTrue(results.get(0).passed(), out());
  }

  /** YAML as tools write it (anchors, aliases, merge keys) runs; a file with an unknown key fails alone. */
  @Test
  void scenariosWithAliasesRunAndUnknownKeysAreRefused() throws Exception {
    Path dir = Path.of(getClass().getResource("/scenarios-yaml").toURI());
    List<Result> results = runner.runFiles(List.of(dir.resolve("anchors.yaml"), dir.resolve("unknown-key.yaml")));
    assertTrue(results.get(0).passed(), out());
    assertFalse(results.get(1).passed());
    assertTrue(out().contains("unknown-key.yaml: step 2 (set-namespace-labels): lables: unknown key"), out());
    assertTrue(out().contains("1 passed, 1 failed"), out());
  }

  @Test
  void sharedLearnThreeTierPasses() {
    var shared = SharedExamples.sharedDir();
    Assumptions.assumeTrue(shared.isPresent(), "no ../shared beside the repo");
    List<Result> results = runner.runFiles(List.of(shared.get().resolve("scenarios/examples/learn-three-tier.yaml")));
    assertTrue(results.get(0).passed(), out());
  }

  @Test
  void sharedNetpolExamplesPass() throws Exception {
    var shared = SharedExamples.sharedDir();
    Assumptions.assumeTrue(shared.isPresent(), "no ../shared beside the repo");
    List<Path> files = yamlFiles(shared.get().resolve("scenarios/examples"), "netpol-");
    assertEquals(6, files.size(), "the six shared NetworkPolicy examples");
    List<Result> results = runner.runFiles(files);
    assertTrue(results.stream().allMatch(Result::passed), out());
    assertTrue(out().contains("6 passed, 0 failed"), out());
  }

  static List<Path> yamlFiles(Path dir, String prefix) throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().startsWith(prefix) && p.getFileName().toString().endsWith(".yaml"))
          .sorted().toList();
    }
  }
}
