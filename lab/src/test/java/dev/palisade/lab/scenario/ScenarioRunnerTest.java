package dev.palisade.lab.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.lab.scenario.Scenario.Step;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** The runner's bookkeeping against a scripted target: which cells it probes and how it reports. */
class ScenarioRunnerTest {
  private static final String SCENARIO = """
      schema: netpol-conformance-case/v1
      id: "R1"
      name: runner
      topology:
        pods:
        - {namespace: x, name: a, synthetic_ip: 10.0.0.1, container_ports: [{port: 80}]}
        - {namespace: x, name: b, synthetic_ip: 10.0.0.2, container_ports: [{port: 80}]}
      steps:
      - step: 1
        action: create-policy
        policy: {metadata: {name: p}, spec: {egress: [{to: [{ipBlock: {cidr: '${CIDR4:x/b}', except: ['${IP:x/b}/32']}}]}]}}
        then_probe:
        - port: 80
          protocol: TCP
          expected:
            columns: [x/a, x/b]
            rows:
              x/a: '- X'
              x/b: '. -'
      """;

  /** A target whose connectivity is a predicate over "src->ip"; records what it was asked. */
  static class ScriptedTarget implements ScenarioTarget {
    final Predicate<String> connects;
    final Set<String> unsupported;
    final List<String> log = Collections.synchronizedList(new ArrayList<>());

    ScriptedTarget(Predicate<String> connects, Set<String> unsupported) {
      this.connects = connects;
      this.unsupported = unsupported;
    }

    @Override public void setUp(Scenario s) {
      if (unsupported.contains("setUp")) throw new UnsupportedStepException("the outside section lands later");
      log.add("setUp " + s.pods().size());
    }
    @Override public List<String> resolvePods(String ref) {
      if (unsupported.contains(ref)) throw new UnsupportedStepException(ref + " lands later");
      return List.of(ref);
    }
    @Override public String podIp(String pod) { return pod.equals("x/a") ? "10.0.0.1" : "10.0.0.2"; }
    @Override public Endpoint serviceEndpoint(String ns, String svc, int port, String proto) { return new Endpoint("10.0.0.2", port); }
    @Override public boolean probe(String from, String ip, int port, String protocol) {
      log.add("probe " + from + "->" + ip);
      return connects.test(from + "->" + ip);
    }
    @Override public void perform(Step step) {
      if (unsupported.contains(step.action())) throw new UnsupportedStepException(step.action() + " lands later");
      log.add("perform " + step.action() + " " + step.fields());
    }
    @Override public void awaitConverged() { log.add("converged"); }
    @Override public void close() { log.add("closed"); }
  }

  private static String run(ScriptedTarget target, List<ScenarioRunner.Result> results) {
    return run(target, results, SCENARIO);
  }

  private static String run(ScriptedTarget target, List<ScenarioRunner.Result> results, String scenario) {
    var bytes = new ByteArrayOutputStream();
    var runner = new ScenarioRunner(() -> target, new PrintStream(bytes, true, StandardCharsets.UTF_8));
    results.add(runner.run(ScenarioParser.parse("r.yaml", scenario)));
    runner.shutdown();
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void passesWhenEveryAssertedCellMatchesAndSubstitutesPlaceholders() {
    var target = new ScriptedTarget(flow -> !flow.equals("x/a->10.0.0.2"), Set.of());
    List<ScenarioRunner.Result> results = new ArrayList<>();
    String out = run(target, results);
    assertTrue(results.get(0).passed(), out);
    assertTrue(out.startsWith("PASS R1 runner"), out);
    assertTrue(target.log.stream().anyMatch(l -> l.contains("cidr=0.0.0.0/4") && l.contains("except=[10.0.0.2/32]")),
        "placeholders substituted: " + target.log);
    assertEquals(2, target.log.stream().filter(l -> l.startsWith("probe")).count(), "'-' cells are not probed");
    assertTrue(target.log.contains("closed"));
  }

  @Test
  void reportsEachWrongCell() {
    var target = new ScriptedTarget(flow -> true, Set.of());
    List<ScenarioRunner.Result> results = new ArrayList<>();
    String out = run(target, results);
    assertFalse(results.get(0).passed());
    assertEquals(List.of("step 1 (create-policy) 80/TCP: x/a -> x/b expected X got ."), results.get(0).failures());
    assertTrue(out.contains("FAIL R1 runner"), out);
  }

  @Test
  void anUnsupportedStepFailsTheScenarioLoudly() {
    var target = new ScriptedTarget(flow -> false, Set.of("create-policy"));
    List<ScenarioRunner.Result> results = new ArrayList<>();
    run(target, results);
    assertFalse(results.get(0).passed());
    assertEquals(List.of("step 1 (create-policy): not supported yet: create-policy lands later"), results.get(0).failures());
    assertFalse(target.log.stream().anyMatch(l -> l.startsWith("probe")), "no probes after a failed step");
  }

  @Test
  void aProbeOrSetUpTheLabCannotDoYetFailsLoudly() {
    List<ScenarioRunner.Result> results = new ArrayList<>();
    run(new ScriptedTarget(flow -> false, Set.of("service/x/web")), results,
        SCENARIO.replace("columns: [x/a, x/b]", "columns: [x/a, service/x/web]"));
    assertEquals(List.of("step 1 (create-policy): not supported yet: service/x/web lands later"), results.get(0).failures());
    run(new ScriptedTarget(flow -> false, Set.of("setUp")), results);
    assertEquals(List.of("not supported yet: the outside section lands later"), results.get(1).failures());
  }

  @Test
  void aFileThatDoesNotParseFailsAloneAndIsNamed() throws Exception {
    var bytes = new ByteArrayOutputStream();
    var runner = new ScenarioRunner(() -> new ScriptedTarget(f -> true, Set.of()), new PrintStream(bytes, true, StandardCharsets.UTF_8));
    var dir = java.nio.file.Files.createTempDirectory("pal-scn");
    var unknownKey = dir.resolve("unknown-key.yaml");
    var good = dir.resolve("good.yaml");
    var missing = dir.resolve("missing.yaml");
    try {
      java.nio.file.Files.writeString(unknownKey, SCENARIO.replace("  action: create-policy\n", "  action: create-policy\n  polcy: {}\n"));
      java.nio.file.Files.writeString(good, SCENARIO.replace("x/a: '- X'", "x/a: '- .'"));
      List<ScenarioRunner.Result> results = runner.runFiles(List.of(unknownKey, good, missing));
      assertEquals(List.of(false, true, false), results.stream().map(ScenarioRunner.Result::passed).toList());
    } finally {
      java.nio.file.Files.deleteIfExists(unknownKey);
      java.nio.file.Files.deleteIfExists(good);
      java.nio.file.Files.deleteIfExists(dir);
      runner.shutdown();
    }
    String out = bytes.toString(StandardCharsets.UTF_8);
    assertTrue(out.contains("FAIL " + unknownKey + " ") && out.contains(unknownKey + ": step 1 (create-policy): polcy: unknown key"), out);
    assertTrue(out.contains("PASS R1 runner"), out);
    assertTrue(out.contains(missing + ": cannot read"), out);
    assertTrue(out.strip().endsWith("1 passed, 2 failed"), out);
  }

  @Test
  void closingLineCountsScenarios() throws Exception {
    var bytes = new ByteArrayOutputStream();
    var runner = new ScenarioRunner(() -> new ScriptedTarget(f -> true, Set.of()), new PrintStream(bytes, true, StandardCharsets.UTF_8));
    var f = java.nio.file.Files.createTempFile("pal-scn", ".yaml");
    var bad = java.nio.file.Files.createTempFile("pal-scn-bad", ".yaml");
    try {
      java.nio.file.Files.writeString(f, SCENARIO.replace("x/a: '- X'", "x/a: '- .'"));
      java.nio.file.Files.writeString(bad, "schema: nope\n");
      runner.runFiles(List.of(f, bad));
    } finally {
      java.nio.file.Files.deleteIfExists(f);
      java.nio.file.Files.deleteIfExists(bad);
      runner.shutdown();
    }
    String out = bytes.toString(StandardCharsets.UTF_8);
    assertTrue(out.strip().endsWith("1 passed, 1 failed"), out);
    assertTrue(out.contains("unknown schema 'nope'"), out);
  }

  @Test
  void theTargetSaysWhereEachConnectionGoesSoNamesAreResolvedPerSourceAndOutsideHostsCanBeRows() {
    String scenario = """
        schema: palisade-scenario/v1
        name: outside
        topology:
          pods:
          - {namespace: x, name: a}
        outside:
          hosts: [{name: h, ip: 203.0.113.10, ports: [{port: 443}]}]
          dns: [{name: api.example, ttl: 2, answers: [h]}]
        steps:
        - step: 1
          action: traffic
          flows: [{from: x/a, to: dns:api.example, port: 443, count: 1}]
          then_probe:
          - port: 443
            expected:
              columns: [dns:api.example, outside/h]
              rows:
                x/a: '. X'
        """;
    List<String> dialled = Collections.synchronizedList(new ArrayList<>());
    var target = new ScriptedTarget(flow -> flow.equals("x/a->203.0.113.10:8443"), Set.of()) {
      @Override public Endpoint dial(String src, String dst, int port, String protocol) {
        dialled.add(src + "->" + dst);
        return dst.startsWith("dns:") ? new Endpoint("203.0.113.10", 8443) : new Endpoint("203.0.113.10", port);
      }
      @Override public boolean connect(String from, String ip, int port, String protocol) {
        return probe(from, ip + ":" + port, port, protocol);
      }
      @Override public boolean probe(String from, String ip, int port, String protocol) {
        return super.probe(from, ip.contains(":") ? ip : ip + ":" + port, port, protocol);
      }
    };
    List<ScenarioRunner.Result> results = new ArrayList<>();
    String out = run(target, results, scenario);
    assertTrue(results.get(0).passed(), out);
    assertEquals(List.of("x/a->dns:api.example", "x/a->dns:api.example", "x/a->outside/h"), dialled,
        "traffic and each probe cell asked the target, with the source pod");
  }
}
