package dev.palisade.cli;

import dev.palisade.lab.ci.CiRun;
import dev.palisade.lab.ci.CiInputException;
import dev.palisade.lab.ci.EdgeClassifier.FailOn;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * `palisade ci run`: the connectivity review of a change, in its pipeline. Exit 0 pass, 1 new
 * edges need approval, 2 forbidden or dropped edges, 3 bad input or infrastructure error.
 */
@Command(name = "ci", description = "Connectivity review of a change, from the app's own traffic.",
    subcommands = {CiCommand.Run.class, CiCheckCommand.class})
final class CiCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  @Command(name = "run", exitCodeOnInvalidInput = CiRun.EXIT_BAD_INPUT,
      exitCodeListHeading = "%nExit codes (its own, for a pipeline):%n",
      exitCodeList = {"0:every edge approved", "1:new edges need approval", "2:forbidden or dropped edges",
          "3:bad input or infrastructure error (the message names the file and field)"},
      description = "Run the app on the lab (needs root), classify every edge it makes against "
      + "the approved graph, write report.md, junit.xml, patch.yaml and graph.json.")
  static final class Run implements Callable<Integer> {
    @Option(names = "--manifests", required = true, paramLabel = "PATH",
        description = "the app's Kubernetes YAML: a file or a directory (repeatable)")
    List<Path> manifests = new ArrayList<>();

    @Option(names = "--baseline", required = true, paramLabel = "PATH",
        description = "ApprovedGraph files: a file or a directory; an empty directory approves nothing (repeatable)")
    List<Path> baseline = new ArrayList<>();

    @Option(names = "--traffic", paramLabel = "FILE", description = "YAML map flows: entries as in a scenario's traffic step")
    Path traffic;

    @Option(names = "--exec", paramLabel = "POD", description = "run CMD (after --) inside this pod, NS/POD")
    String execPod;

    @Parameters(paramLabel = "CMD", arity = "0..*", description = "the command for --exec")
    List<String> command = new ArrayList<>();

    @Option(names = "--exec-timeout", paramLabel = "DURATION", description = "stop the --exec command after this "
        + "long, e.g. 90s, 30m, 2h (default 1h); its output is streamed as it runs")
    String execTimeout;

    @Option(names = "--tests-junit", paramLabel = "FILE", description = "the app's JUnit XML report (repeatable): "
        + "provenance.test names the test case running when a new edge was first seen (testsuite@timestamp + the "
        + "times of the cases before; a timestamp without offset is in this machine's time zone)")
    List<Path> testsJunit = new ArrayList<>();

    @Option(names = "--report-dir", defaultValue = "palisade-ci-report", paramLabel = "DIR",
        description = "where the reports go (default ${DEFAULT-VALUE})")
    Path reportDir;

    @Option(names = "--fail-on", defaultValue = "new", description = "new (default), forbidden or never")
    String failOn;

    /** The lab's id (its network namespaces are pal-ID-*): lets parallel runs on one machine coexist. */
    @Option(names = "--lab-id", hidden = true)
    String labId = "ci" + ProcessHandle.current().pid() % 100000;

    @Override
    public Integer call() {
      FailOn f;
      try {
        f = FailOn.parse(failOn);
      } catch (CiInputException e) {
        System.out.println("palisade ci: bad input: " + e.getMessage());
        return CiRun.EXIT_BAD_INPUT;
      }
      if (!command.isEmpty() && execPod == null) {
        System.out.println("palisade ci: bad input: " + command + ": a command needs --exec POD");
        return CiRun.EXIT_BAD_INPUT;
      }
      return CiRun.run(new CiRun.Options(manifests, baseline, traffic, execPod, command, reportDir, f, labId,
          testsJunit, execTimeout),
          System.out);
    }
  }
}
