package dev.palisade.lab.ci;

import dev.palisade.lab.ci.EdgeClassifier.FailOn;
import dev.palisade.lab.yaml.InvalidYamlException;
import dev.palisade.lab.yaml.YamlReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code palisade ci run}, wired: read and check every input first (bad input is exit 3 before a
 * lab exists), run the app on a lab ({@link CiLabSession}), classify ({@link EdgeClassifier}),
 * write the four reports. The lab is torn down whatever happens, failures included.
 *
 * <pre>
 *  --manifests, --baseline, --traffic, --tests-junit --> checked inputs --> CiLabSession (lab up, monitor mode,
 *       traffic / exec, wait for the graph) --> observed edges --> EdgeClassifier --> findings
 *       --> report.md, junit.xml, patch.yaml, graph.json + exit code
 * </pre>
 */
public final class CiRun {
  public static final int EXIT_BAD_INPUT = 3;
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(CiRun.class);
  /** How an edge's origin names a command run with --exec (the patch files it as provenance.command). */
  static final String EXEC_ORIGIN = "--exec ";

  /** The command line, as values. {@code execCommand} is empty without --exec. */
  public record Options(List<Path> manifests, List<Path> baseline, Path traffic, String execPod,
      List<String> execCommand, Path reportDir, FailOn failOn, String labId, List<Path> testsJunit,
      String execTimeout) {
    public Options {
      testsJunit = testsJunit == null ? List.of() : List.copyOf(testsJunit);
    }
  }

  /** Checked inputs: manifests by file, the baseline, the traffic entries, commands to run, the app's test times. */
  record Inputs(Map<String, String> manifests, Baseline baseline, List<TrafficFile.Flow> flows, String execPod,
      List<String> execCommand, JunitTimeline tests, java.time.Duration execTimeout) {}

  private CiRun() {}

  /** Runs and returns the exit code; messages go to {@code out}. */
  public static int run(Options o, PrintStream out) {
    long start = System.nanoTime();
    Inputs in;
    try {
      in = inputs(o);
    } catch (CiInputException e) {
      out.println("palisade ci: bad input: " + e.getMessage());
      return EXIT_BAD_INPUT;
    }
    List<ObservedEdge> observed;
    OrgGuardrails guardrails;
    try (CiLabSession lab = new CiLabSession(o.labId(), out)) {
      observed = lab.observe(in);
      guardrails = lab.guardrails();
    } catch (CiInputException e) {
      out.println("palisade ci: bad input: " + e.getMessage());
      return EXIT_BAD_INPUT;
    } catch (RuntimeException e) {
      LOG.warn("infrastructure error", e); // the stack, for whoever debugs the lab
      out.println("palisade ci: infrastructure error: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
      return EXIT_BAD_INPUT;
    }
    List<Finding> findings = EdgeClassifier.classify(observed, in.baseline(), guardrails);
    int exit = EdgeClassifier.exitCode(findings, o.failOn());
    try {
      write(o.reportDir(), findings, exit, in.tests());
    } catch (IOException e) {
      out.println("palisade ci: cannot write --report-dir " + o.reportDir() + ": " + e.getMessage());
      return EXIT_BAD_INPUT;
    }
    for (Finding f : findings) {
      out.println(String.format("%-13s %s%s", f.verdict().label(), f.edge().text(),
          f.why().isEmpty() ? "" : "  (" + f.why() + ")"));
    }
    out.printf("palisade ci: exit %d; reports in %s (%.1f s)%n", exit, o.reportDir(),
        (System.nanoTime() - start) / 1e9);
    return exit;
  }

  static Inputs inputs(Options o) {
    if (o.manifests().isEmpty()) {
      throw new CiInputException("--manifests: at least one file or directory is required");
    }
    Map<String, String> manifests = new LinkedHashMap<>();
    for (Path p : YamlFiles.expand(o.manifests(), "--manifests")) {
      String text = read(p);
      try {
        ManifestKinds.check(p.toString(), YamlReader.readAll(text)); // an unknown kind is refused, never skipped
      } catch (InvalidYamlException e) {
        throw new CiInputException(p + ": not valid YAML: " + e.getMessage());
      }
      manifests.put(p.toString(), text);
    }
    if (manifests.isEmpty()) {
      throw new CiInputException("--manifests " + o.manifests() + ": no *.yaml or *.yml file");
    }
    Baseline baseline = BaselineReader.read(o.baseline());
    List<TrafficFile.Flow> flows = o.traffic() == null ? List.of()
        : TrafficFile.parse(o.traffic().toString(), read(o.traffic()));
    if (flows.isEmpty() && o.execCommand().isEmpty()) {
      throw new CiInputException("no traffic: give --traffic FILE (with flows) or --exec POD -- CMD");
    }
    if (!o.execCommand().isEmpty() && (o.execPod() == null || !(o.execPod().split("/").length == 2
        || (o.execPod().startsWith("workload/") && o.execPod().split("/").length == 4)))) {
      throw new CiInputException("--exec: must name a pod as NS/POD or workload/NS/KIND/NAME (its first pod), not '"
          + o.execPod() + "'");
    }
    JunitTimeline tests = JunitTimeline.read(o.testsJunit(), java.time.ZoneId.systemDefault());
    java.time.Duration execTimeout = o.execTimeout() == null ? PodCommand.DEFAULT_TIMEOUT
        : PodCommand.parseTimeout(o.execTimeout());
    return new Inputs(manifests, baseline, flows, o.execPod(), List.copyOf(o.execCommand()), tests, execTimeout);
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new CiInputException(p + ": cannot read: " + e.getMessage());
    }
  }

  /** Writes report.md, junit.xml, patch.yaml and graph.json into {@code dir} (created if absent). */
  public static void write(Path dir, List<Finding> findings, int exit) throws IOException {
    write(dir, findings, exit, JunitTimeline.EMPTY);
  }

  /** As above, the patch's provenance.test from the app's test times. */
  public static void write(Path dir, List<Finding> findings, int exit, JunitTimeline tests) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("report.md"), MarkdownReport.render(findings, exit));
    Files.writeString(dir.resolve("junit.xml"), JunitReport.render(findings));
    Files.writeString(dir.resolve("patch.yaml"), ApprovedGraphPatch.forNewEdges(findings, "palisade ci run", tests));
    Files.writeString(dir.resolve("graph.json"), GraphJson.render(findings, exit));
  }
}
