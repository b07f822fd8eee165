package dev.palisade.lab.cluster;

import dev.palisade.lab.scenario.ScenarioRunner;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs scenario files on the kernel by hand, in labs named {@code LABxN} (so a developer's runs are
 * told apart from everyone else's): for scenarios that cannot pass yet and so are wired into no
 * test, such as outside-enforce/dns-approved.yaml. Usage: {@code RunScenariosByHand LAB FILE...}
 * (needs root, like the kernel tests). Exit 0 only if all passed.
 */
public final class RunScenariosByHand {
  private RunScenariosByHand() {}

  public static void main(String[] args) {
    if (args.length < 2) {
      System.err.println("usage: RunScenariosByHand LAB FILE...  (LAB: 1-10 of [a-z0-9])");
      System.exit(3);
    }
    AtomicInteger seq = new AtomicInteger();
    ScenarioRunner runner = new ScenarioRunner(() -> new LabScenarioTarget(args[0] + "x" + seq.incrementAndGet()),
        System.out);
    var results = runner.runFiles(Arrays.stream(args, 1, args.length).map(Path::of).toList());
    runner.shutdown();
    System.exit(results.stream().allMatch(ScenarioRunner.Result::passed) ? 0 : 1);
  }
}
