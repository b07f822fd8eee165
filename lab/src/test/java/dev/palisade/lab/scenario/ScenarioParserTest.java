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
import java.util.Map;
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
    assertTrue(e.getMessage().startsWith("bad.yaml: step 1 (wait): then_probe[0].expected.rows.x/b: "), e.getMessage());
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

  /** MINIMAL with other steps. */
  private static String withSteps(String steps) {
    return MINIMAL.substring(0, MINIMAL.indexOf("steps:\n")) + "steps:\n" + steps;
  }

  private static void assertRefused(String yaml, String messageStart) {
    String m = refused(yaml);
    assertTrue(m.startsWith(messageStart), m);
  }

  private static String refused(String yaml) {
    return assertThrows(ScenarioException.class, () -> ScenarioParser.parse("bad.yaml", yaml)).getMessage();
  }

  private static final String ALIASED = """
      schema: palisade-scenario/v1
      id: "A1"
      name: anchors
      x-defaults:                       # anchors kept under an x- key, which the parser ignores
        pod: &pod
          labels: {app: web}
          container_ports:
          - {name: http, port: 80, protocol: TCP}
          - {name: dns, port: 53, protocol: UDP}
        columns: &cols [x/a, x/b, y/a]
      nodes: 2
      topology:
        namespaces:
        - &x {name: x, labels: {team: blue}}
        - {<<: *x, name: y}
        pods:
        - <<: *pod
          ref: x/a
        - <<: *pod
          ref: x/b
          labels: {app: db}
        - {<<: *pod, ref: y/a, node: 1}
      steps:
      - step: 1
        action: create-policy
        policy: &deny
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: deny, namespace: x}
          spec: {podSelector: {}, policyTypes: [Ingress]}
        then_probe:
        - port: 80
          protocol: TCP
          expected: &denied
            columns: *cols
            rows:
              x/a: '- X .'
              y/a: 'X X -'
        - {port: 53, protocol: UDP, expected: *denied}
      - step: 2
        action: update-policy
        policy:
          <<: *deny
          spec: {podSelector: {matchLabels: {app: db}}, policyTypes: [Ingress]}
      """;

  private static final String EXPANDED = """
      schema: palisade-scenario/v1
      id: "A1"
      name: anchors
      nodes: 2
      topology:
        namespaces:
        - {name: x, labels: {team: blue}}
        - {name: y, labels: {team: blue}}
        pods:
        - ref: x/a
          labels: {app: web}
          container_ports: [{name: http, port: 80, protocol: TCP}, {name: dns, port: 53, protocol: UDP}]
        - ref: x/b
          labels: {app: db}
          container_ports: [{name: http, port: 80, protocol: TCP}, {name: dns, port: 53, protocol: UDP}]
        - ref: y/a
          labels: {app: web}
          node: 1
          container_ports: [{name: http, port: 80, protocol: TCP}, {name: dns, port: 53, protocol: UDP}]
      steps:
      - step: 1
        action: create-policy
        policy:
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: deny, namespace: x}
          spec: {podSelector: {}, policyTypes: [Ingress]}
        then_probe:
        - port: 80
          protocol: TCP
          expected:
            columns: [x/a, x/b, y/a]
            rows: {x/a: '- X .', y/a: 'X X -'}
        - port: 53
          protocol: UDP
          expected:
            columns: [x/a, x/b, y/a]
            rows: {x/a: '- X .', y/a: 'X X -'}
      - step: 2
        action: update-policy
        policy:
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: deny, namespace: x}
          spec: {podSelector: {matchLabels: {app: db}}, policyTypes: [Ingress]}
      """;

  @Test
  void anchorsAliasesAndMergeKeysReadAsTheirExpansion() {
    Scenario aliased = ScenarioParser.parse("s.yaml", ALIASED);
    assertEquals(ScenarioParser.parse("s.yaml", EXPANDED), aliased);
    // what Jackson's tree reader got wrong: an alias read as its anchor's name, so no columns at all
    assertEquals(List.of("x/a", "x/b", "y/a"), aliased.steps().get(0).probes().get(1).columns());
    assertEquals(Map.of("team", "blue"), aliased.namespaces().get(1).labels(), "merged from x");
    assertEquals(Map.of("app", "db"), aliased.pods().get(1).labels(), "a key beside << wins over the merged one");
    assertEquals(2, aliased.pods().get(2).containerPorts().size());
  }

  @Test
  void flowStyleQuotedAndPlainScalarsReadAlike() {
    String flow = """
        {"schema": 'palisade-scenario/v1', id: T1, name: "two-pods", nodes: 2,
         topology: {namespaces: [{name: x, labels: {kubernetes.io/metadata.name: x}}],
                    pods: [{ref: x/a, namespace: x, name: a, labels: {pod: a}, container_ports: [{name: p80, port: 80, protocol: TCP}]},
                           {ref: x/b, namespace: x, name: b, labels: {pod: b}, node: 1, container_ports: [{port: "80"}]}]},
         steps: [{step: 1, action: wait, seconds: 0, then_probe: [{port: 80, protocol: TCP,
                  expected: {columns: [x/a, x/b], rows: {x/a: "- .", x/b: '.   -'}}}]}]}
        """;
    assertEquals(ScenarioParser.parse("t.yaml", MINIMAL), ScenarioParser.parse("t.yaml", flow));
  }

  @Test
  void anUnknownKeyIsRefusedNamingTheFileTheStepAndTheKey() {
    String m = refused(MINIMAL.replace("  seconds: 0\n", "  seconds: 0\n  secnds: 1\n"));
    assertTrue(m.startsWith("bad.yaml: step 1 (wait): secnds: unknown key; expected step, action, then_probe, seconds"), m);
    m = refused(withSteps("""
        - step: 4
          action: set-namespace-labels
          namespace: x
          lables: {team: red}
        """));
    assertTrue(m.startsWith("bad.yaml: step 4 (set-namespace-labels): lables: unknown key"), m);
    m = refused(MINIMAL.replace("protocol: TCP\n    expected:", "protocol: TCP\n    expect: {}\n    expected:"));
    assertTrue(m.startsWith("bad.yaml: step 1 (wait): then_probe[0].expect: unknown key"), m);
    m = refused(MINIMAL.replace("nodes: 2", "nodes: 2\nnode: 1"));
    assertTrue(m.startsWith("bad.yaml: node: unknown key"), m);
    m = refused(MINIMAL.replace("labels: {pod: b}, node: 1", "labels: {pod: b}, nod: 1"));
    assertTrue(m.startsWith("bad.yaml: topology.pods[1].nod: unknown key"), m);
  }

  @Test
  void xKeysAreIgnoredAtEveryLevelAndSourceCoversNotesAtTheTop() {
    String annotated = MINIMAL
        .replace("nodes: 2", "nodes: 2\nx-owner: team-a\nsource: {kind: ours}\ncovers: [probes]\nnotes: free text")
        .replace("labels: {pod: b}, node: 1", "labels: {pod: b}, x-why: second node, node: 1")
        .replace("  seconds: 0\n", "  seconds: 0\n  x-comment: {any: [thing]}\n")
        .replace("protocol: TCP\n    expected:", "protocol: TCP\n    x-loopback-model-verdicts: {x/a: '.'}\n    expected:");
    assertEquals(ScenarioParser.parse("t.yaml", MINIMAL), ScenarioParser.parse("t.yaml", annotated));
  }

  @Test
  void labelStepsNeedTheirLabels() {
    String m = refused(withSteps("""
        - step: 1
          action: set-namespace-labels
          namespace: x
        """));
    assertTrue(m.startsWith("bad.yaml: step 1 (set-namespace-labels): labels: missing"), m);
    m = refused(withSteps("""
        - step: 1
          action: set-pod-labels
          pod: x/a
          labels:
        """));
    assertTrue(m.startsWith("bad.yaml: step 1 (set-pod-labels): labels: missing"), m);
    Scenario s = ScenarioParser.parse("t.yaml", withSteps("""
        - step: 1
          action: set-pod-labels
          pod: x/a
          labels: {}
        """));
    assertEquals(Map.of("pod", "x/a", "labels", Map.of()), s.steps().get(0).fields(), "an explicit {} removes every label");
  }

  @Test
  void missingAndMalformedFieldsAreRefused() {
    assertRefused(MINIMAL.replace("- step: 1\n  action", "- action"),
        "bad.yaml: steps[0].step: missing");
    assertRefused(withSteps("""
        - step: 2
          action: wait
          seconds: 1
        - step: 2
          action: wait
          seconds: 1
        """),
        "bad.yaml: steps[1].step: 2 does not follow step 2");
    assertRefused(withSteps("- {step: 1, action: traffic, flows: [{from: x/a, to: x/b, port: 80}]}\n"),
        "bad.yaml: step 1 (traffic): flows[0].count: missing");
    assertRefused(withSteps("- {step: 1, action: traffic, flows: [{from: x, to: x/b, port: 80, count: 1}]}\n"),
        "bad.yaml: step 1 (traffic): flows[0].from: 'x' is not ns/pod, workload/NS/KIND/NAME or outside/HOST");
    assertRefused(withSteps("- {step: 1, action: reject-learned}\n"),
        "bad.yaml: step 1 (reject-learned): only: missing");
    assertRefused(withSteps("- {step: 1, action: set-mode, target: namespace/x, mode: Enforce}\n"),
        "bad.yaml: step 1 (set-mode): mode: unknown mode 'Enforce'");
    assertRefused(withSteps("- {step: 1, action: delete-policy, name: p}\n"),
        "bad.yaml: step 1 (delete-policy): namespace: missing");
    assertRefused(withSteps("- {step: 1, action: delete-policy, kind: ClusterNetworkPolicy, namespace: x, name: p}\n"),
        "bad.yaml: step 1 (delete-policy): namespace: ClusterNetworkPolicy is cluster-scoped");
    assertRefused(withSteps("- {step: 1, action: delete, kind: Deployment, name: web}\n"),
        "bad.yaml: step 1 (delete): namespace: missing");
    assertRefused(withSteps("- {step: 1, action: apply, manifests: \"kind: [\"}\n"),
        "bad.yaml: step 1 (apply): manifests: not valid YAML: ");
    assertRefused(withSteps("- {step: 1, action: wait, seconds: soon}\n"),
        "bad.yaml: step 1 (wait): seconds: expected a number of seconds");
    assertRefused(withSteps("- {step: 1, action: wait, seconds: 1, then_probe: [{port: 80, expected: {columns: [x/a], rows: {x/b: '.'}}}, {port: 80}]}\n"),
        "bad.yaml: step 1 (wait): then_probe[1].expected: missing");
    assertRefused(MINIMAL.replace("name: two-pods\n", ""),
        "bad.yaml: name: missing");
    String m = refused(MINIMAL.replace("x/a: '- .'", "x/a: '- .'\n        x/a: '- X'"));
    assertTrue(m.startsWith("bad.yaml: not valid YAML: line ") && m.contains("found duplicate key x/a"), m);
  }

  /** The two files for an end-to-end run (LabScenarioIT and by hand, see their first lines). */
  @Test
  void theScenariosYamlFilesReadAsWritten() {
    Path dir = Path.of("src/test/resources/scenarios-yaml");
    Scenario s = ScenarioParser.parse(dir.resolve("anchors.yaml"));
    assertEquals(List.of("x/a", "x/b", "workload/shop/Deployment/web"), s.steps().get(1).probes().get(0).columns());
    assertEquals(s.steps().get(0).probes().get(0).rows(), s.steps().get(0).probes().get(1).rows());
    assertEquals(Map.of("team", "blue"), s.namespaces().get(1).labels());
    assertEquals(3, s.pods().get(2).containerPorts().size());
    assertEquals("team-blue-only", ((Map<?, ?>) ((Map<?, ?>) s.steps().get(1).fields().get("policy")).get("metadata")).get("name"));
    assertRefused(dir.resolve("unknown-key.yaml"), dir.resolve("unknown-key.yaml")
        + ": step 2 (set-namespace-labels): lables: unknown key; expected step, action, then_probe, namespace, labels");
  }

  private static void assertRefused(Path file, String messageStart) {
    String m = assertThrows(ScenarioException.class, () -> ScenarioParser.parse(file)).getMessage();
    assertTrue(m.startsWith(messageStart), m);
  }

  /** Every field SCHEMA.md defines parses, including those the lab does not carry out yet. */
  @Test
  void everyFieldOfTheSchemaParses() {
    Scenario s = ScenarioParser.parse("t.yaml", MINIMAL.substring(0, MINIMAL.indexOf("steps:\n")) + """
        manifests: |
          apiVersion: v1
          kind: Service
          metadata: {name: web, namespace: x}
          spec: {type: NodePort, selector: {pod: a}, ports: [{port: 80, nodePort: 30080}]}
        outside:
          hosts:
          - {name: pay-a, ip: 203.0.113.10, ports: [{port: 443, protocol: TCP}]}
          - {name: pay-b, ip: 198.51.100.7, ports: [{port: 53, protocol: UDP}, {port: 9, protocol: SCTP}]}
          dns:
          - {name: api.payments.example, ttl: 2, answers: [pay-a]}
        steps:
        - step: 1
          action: create-policy
          policy:
            apiVersion: policy.networking.k8s.io/v1alpha2
            kind: ClusterNetworkPolicy
            metadata: {name: admin-deny}
            spec: {tier: Admin, priority: 10, subject: {namespaces: {}}, ingress: [{action: Deny, from: [{namespaces: {}}]}]}
        - {step: 2, action: delete-policy, kind: ClusterNetworkPolicy, name: admin-deny}
        - {step: 3, action: delete-all-policies}
        - {step: 4, action: set-mode, target: workload/x/Deployment/web, mode: monitor}
        - step: 5
          action: traffic
          flows:
          - {from: x/a, to: dns:api.payments.example, port: 443, protocol: TCP, count: 3}
          - {from: x/a, to: outside/pay-b, port: 9, protocol: SCTP, count: 1}
          - {from: outside/pay-a, to: service/x/web, port: 80, count: 1}
        - step: 6
          action: approve-learned
          only:
          - {from: workload/x/Deployment/web, to: dns:api.payments.example, port: 443, protocol: TCP}
          - {from: x/a, to: 198.51.100.0/24, port: 53, protocol: UDP}
        - {step: 7, action: reject-learned, only: [{from: x/a, to: 198.51.100.7, port: 9, protocol: SCTP}]}
        - {step: 8, action: set-dns, name: api.payments.example, answers: [pay-b]}
        - {step: 9, action: delete, kind: Namespace, name: y}
        - step: 10
          action: wait
          seconds: 2.5
          then_probe:
          - port: 9
            protocol: SCTP
            expected:
              columns: [outside/pay-b, dns:api.payments.example, service/x/web, workload/x/Deployment/web]
              rows:
                x/a: '. X . -'
                outside/pay-a: 'X X . .'
        """);
    assertEquals(2, s.outside().hosts().size());
    assertEquals(new Scenario.DnsName("api.payments.example", 2, List.of("pay-a")), s.outside().dns().get(0));
    assertEquals(List.of(new Scenario.Port(53, "UDP"), new Scenario.Port(9, "SCTP")), s.outside().hosts().get(1).ports());
    assertEquals(10, s.steps().size());
    assertEquals(Map.of("name", "api.payments.example", "answers", List.of("pay-b")), s.steps().get(7).fields());
    assertEquals("SCTP", s.steps().get(9).probes().get(0).protocol());
    assertEquals(2.5, s.steps().get(9).fields().get("seconds"));

    String outside = "outside:\n  hosts: [{name: pay-a, ip: 203.0.113.10, ports: []}]\n";
    String top = MINIMAL.substring(0, MINIMAL.indexOf("steps:\n"));
    assertRefused(top + "outside:\n  hosts: [{name: h, ip: 10.0.0.1, ports: []}]\nsteps: [{step: 1, action: delete-all-policies}]\n",
        "bad.yaml: outside.hosts[0].ip: '10.0.0.1' is not an address of 198.51.100.0/24 or 203.0.113.0/24");
    assertRefused(top + outside + "steps: [{step: 1, action: set-dns, name: a.example, answers: []}]\n",
        "bad.yaml: step 1 (set-dns): name: 'a.example' is not a name of outside.dns");
    assertRefused(top + outside + "steps: [{step: 1, action: traffic, flows: [{from: x/a, to: outside/pay-c, port: 1, count: 1}]}]\n",
        "bad.yaml: step 1 (traffic): flows[0].to: 'outside/pay-c' names no host of outside.hosts (declared: pay-a)");
  }

  @Test
  void refusesBadOutsideSectionsNamingWhatIsWrong() {
    String top = MINIMAL.substring(0, MINIMAL.indexOf("steps:\n"));
    String host = "  hosts: [{name: pay-a, ip: 203.0.113.10, ports: [{port: 443}]}]\n";
    String dns = "  dns: [{name: api.payments.example, ttl: 2, answers: [pay-a]}]\n";
    String steps = "steps: [{step: 1, action: delete-all-policies}]\n";
    assertRefused(top + "outside:\n  hosts: [{name: h, ip: 203.0.113.1, port: [80]}]\n" + steps,
        "bad.yaml: outside.hosts[0].port: unknown key; expected name, ip, ports (keys starting with x- are ignored)");
    assertRefused(top + "outside:\n  hosts: [{name: h, ip: 203.0.113.1}]\n" + steps,
        "bad.yaml: outside.hosts[0].ports: missing");
    assertRefused(top + "outside:\n  hosts: [{name: h, ip: 203.0.114.1, ports: []}]\n" + steps,
        "bad.yaml: outside.hosts[0].ip: '203.0.114.1' is not an address of 198.51.100.0/24 or 203.0.113.0/24");
    assertRefused(top + "outside:\n" + host + "  dns: [{name: a.example, answers: [pay-a]}]\n" + steps,
        "bad.yaml: outside.dns[0].ttl: missing");
    assertRefused(top + "outside:\n" + host + "  dns: [{name: a.example, ttl: 2, answers: [pay-z]}]\n" + steps,
        "bad.yaml: outside.dns[0].answers[0]: 'pay-z' is not a host of outside.hosts (declared: pay-a)");
    assertRefused(top + "outside:\n" + host + "  proxy: true\n" + steps,
        "bad.yaml: outside.proxy: unknown key; expected hosts, dns (keys starting with x- are ignored)");
    assertRefused(top + "outside:\n" + host + dns
        + "steps: [{step: 1, action: set-dns, name: api.payments.example, answers: [pay-a], ttl: 5}]\n",
        "bad.yaml: step 1 (set-dns): ttl: unknown key; expected step, action, then_probe, name, answers "
            + "(keys starting with x- are ignored)");
    assertRefused(top + "outside:\n" + host + dns + "steps: [{step: 1, action: set-dns, name: api.payments.example}]\n",
        "bad.yaml: step 1 (set-dns): answers: missing");
    assertRefused(top + "outside:\n" + host + dns
        + "steps: [{step: 1, action: set-dns, name: api.payments.example, answers: [pay-b]}]\n",
        "bad.yaml: step 1 (set-dns): answers[0]: 'pay-b' is not a host of outside.hosts (declared: pay-a)");
    assertRefused(top + "outside:\n" + host + dns
        + "steps: [{step: 1, action: traffic, flows: [{from: dns:api.payments.example, to: x/a, port: 1, count: 1}]}]\n",
        "bad.yaml: step 1 (traffic): flows[0].from: 'dns:api.payments.example' is not ns/pod, workload/NS/KIND/NAME "
            + "or outside/HOST");
  }

  @Test
  void cidr4IsTheSlashFourNetworkHoldingTheAddress() {
    assertEquals("0.0.0.0/4", ScenarioRunner.cidr4("10.244.1.2"));
    assertEquals("192.0.0.0/4", ScenarioRunner.cidr4("192.168.1.1"));
  }
}
