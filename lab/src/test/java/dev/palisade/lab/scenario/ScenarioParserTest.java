package dev.palisade.lab.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.palisade.testkit.SharedExamples;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class ScenarioParserTest {
  private static final String MINIMAL = """
      schema: palisade-scenario/v1
      id: "T1"
      name: two-pods
      nodes: 2
      topology:
        namespaces:
        - {name: x, labels: {kubernetes.io/metadata.name: x}}
        pods:
        - {ref: x/a, namespace: x, name: a, labels: {pod: a}, container_ports: [{name: p80, port: 80, protocol: TCP}]}
        - {ref: x/b, namespace: x, name: b, labels: {pod: b}, node: 1, container_ports: [{port: 80}]}
      steps:
      - step: 1
        action: wait
        seconds: 0
        then_probe:
        - port: 80
          protocol: TCP
          expected:
            columns: [x/a, x/b]
            rows:
              x/a: '- .'
              x/b: '.   -'
      """;

  @Test
  void parsesTopologyStepsAndProbes() {
    Scenario s = ScenarioParser.parse("t.yaml", MINIMAL);
    assertEquals("T1 two-pods", s.title());
    assertEquals(2, s.nodes());
    assertEquals(2, s.pods().size());
    assertEquals(1, s.pods().get(1).node());
    assertEquals("TCP", s.pods().get(1).containerPorts().get(0).protocol(), "protocol defaults to TCP");
    Scenario.Probe p = s.steps().get(0).probes().get(0);
    assertEquals(List.of("x/a", "x/b"), p.columns());
    assertEquals(". -", p.rows().get("x/b"), "cells are normalised to single spaces");
  }

  @Test
  void errorsNameTheFileAndTheField() {
    var e = assertThrows(ScenarioException.class,
        () -> ScenarioParser.parse("bad.yaml", MINIMAL.replace("x/b: '.   -'", "x/b: '. - X'")));
    assertTrue(e.getMessage().startsWith("bad.yaml: steps[0].then_probe[0].expected.rows.x/b"), e.getMessage());
    e = assertThrows(ScenarioException.class,
        () -> ScenarioParser.parse("bad.yaml", MINIMAL.replace("action: wait", "action: dance")));
    assertTrue(e.getMessage().contains("unknown action 'dance'"), e.getMessage());
    e = assertThrows(ScenarioException.class,
        () -> ScenarioParser.parse("bad.yaml", MINIMAL.replace("palisade-scenario/v1", "other/v9")));
    assertTrue(e.getMessage().contains("unknown schema 'other/v9'"), e.getMessage());
    e = assertThrows(ScenarioException.class,
        () -> ScenarioParser.parse("bad.yaml", MINIMAL.replace("port: 80}]}", "port: 70000}]}")));
    assertTrue(e.getMessage().contains("70000 is out of range"), e.getMessage());
    e = assertThrows(ScenarioException.class, () -> ScenarioParser.parse("bad.yaml", "schema: [unclosed"));
    assertTrue(e.getMessage().startsWith("bad.yaml: not valid YAML"), e.getMessage());
  }

  @Test
  void everySharedExampleParses() throws Exception {
    Path shared = SharedExamples.sharedDir().orElse(null);
    assumeTrue(shared != null, "no ../shared beside the project (a user's fresh clone): nothing to parse");
    try (Stream<Path> files = Files.list(shared.resolve("scenarios/examples"))) {
      List<Path> yaml = files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
      assertFalse(yaml.isEmpty());
      for (Path f : yaml) {
        Scenario s = ScenarioParser.parse(f);
        assertFalse(s.steps().isEmpty(), f + " has steps");
      }
    }
  }

  @Test
  void cidr4IsTheSlashFourNetworkHoldingTheAddress() {
    assertEquals("0.0.0.0/4", ScenarioRunner.cidr4("10.244.1.2"));
    assertEquals("192.0.0.0/4", ScenarioRunner.cidr4("192.168.1.1"));
  }
}
