package dev.palisade.cli;

import dev.palisade.lab.cluster.LabScenarioTarget;
import dev.palisade.lab.scenario.ScenarioRunner;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** `palisade scenario run FILE...`: each scenario on a fresh lab; exit 0 only if all passed. */
@Command(name = "scenario", description = "Run scenario files (shared/scenarios/SCHEMA.md) on the lab.",
    subcommands = {ScenarioCommand.Run.class})
final class ScenarioCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  @Command(name = "run", description = "Run scenarios; print wrong cells and 'N passed, N failed'.")
  static final class Run implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "FILE", description = "scenario YAML files")
    List<Path> files;

    @Override
    public Integer call() {
      ScenarioRunner runner = new ScenarioRunner(LabScenarioTarget::new, System.out);
      try {
        List<ScenarioRunner.Result> results = runner.runFiles(files);
        return results.stream().allMatch(ScenarioRunner.Result::passed) ? 0 : 1;
      } finally {
        runner.shutdown();
      }
    }
  }
}
