package dev.palisade.cli;

import dev.palisade.lab.ci.BaselineReader;
import dev.palisade.lab.ci.CiInputException;
import dev.palisade.lab.ci.CiRun;
import dev.palisade.lab.ci.EdgeClassifier;
import dev.palisade.lab.ci.Finding;
import dev.palisade.lab.ci.GraphEdges;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import tools.jackson.databind.json.JsonMapper;

/**
 * `palisade ci check`: the same verdicts and reports as `ci run`, judged on the graph a running
 * controller learned (a throw-away cluster, kind or k3d, with Palisade in learn mode and the app
 * deployed and exercised by the CI) instead of a lab. Same exit codes.
 */
@Command(name = "check", exitCodeOnInvalidInput = CiRun.EXIT_BAD_INPUT,
    description = "Classify the edges a running controller learned against the approved graph; write the reports.")
final class CiCheckCommand implements Callable<Integer> {
  @Mixin ApiClient api;

  @Option(names = "--baseline", required = true, paramLabel = "PATH",
      description = "ApprovedGraph files: a file or a directory; an empty directory approves nothing (repeatable)")
  List<Path> baseline = new ArrayList<>();

  @Option(names = "--report-dir", defaultValue = "palisade-ci-report", paramLabel = "DIR") Path reportDir;

  @Option(names = "--fail-on", defaultValue = "new", description = "new (default), forbidden or never") String failOn;

  @Override
  public Integer call() {
    try {
      EdgeClassifier.FailOn f = EdgeClassifier.FailOn.parse(failOn);
      var base = BaselineReader.read(baseline);
      var graph = JsonMapper.builder().build().readTree(api.get("/v1/graph"));
      List<Finding> findings = EdgeClassifier.classify(GraphEdges.fromGraphJson(graph), base,
          dev.palisade.lab.ci.OrgGuardrails.fromGraphJson(graph));
      int exit = EdgeClassifier.exitCode(findings, f);
      CiRun.write(reportDir, findings, exit);
      findings.forEach(x -> System.out.printf("%-13s %s%n", x.verdict().label(), x.edge().text()));
      System.out.println("palisade ci: exit " + exit + "; reports in " + reportDir);
      return exit;
    } catch (CiInputException | ApiClient.ApiError e) {
      System.out.println("palisade ci: " + (e instanceof CiInputException ? "bad input: " : "") + e.getMessage());
      return CiRun.EXIT_BAD_INPUT;
    } catch (IOException e) {
      System.out.println("palisade ci: cannot write --report-dir " + reportDir + ": " + e.getMessage());
      return CiRun.EXIT_BAD_INPUT;
    }
  }
}
