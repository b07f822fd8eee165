package dev.palisade.lab.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import dev.palisade.dataplane.netpol.NetworkPolicyCompiler;
import dev.palisade.dataplane.netpol.PodPolicy;
import dev.palisade.dataplane.render.AllowRect.Proto;
import dev.palisade.dataplane.render.Interval;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import dev.palisade.testkit.SharedExamples;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Replays every corpus scenario against {@link NetworkPolicyCompiler} instead of a lab: the truth
 * tables were derived by hand from Kubernetes semantics, the compiler implements them, and the two
 * must agree cell by cell before the tables go to a real kernel. A cell is '.' only if both ends'
 * compiled policies allow it and the destination serves the port (the lab probes real servers;
 * it serves no SCTP).
 */
class NetpolCorpusModelTest {
  private static final KubernetesSerialization JSON = new KubernetesSerialization();
  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{(IP|CIDR4):([^}]+)}");

  static Stream<Path> scenarios() throws Exception {
    return NetpolCorpusParseTest.corpus().stream();
  }

  /** The shared netpol examples too, where ../shared is present (it is absent in a user's clone). */
  static Stream<Path> sharedExamples() throws Exception {
    Path shared = SharedExamples.sharedDir().orElse(null);
    if (shared == null) {
      return Stream.empty();
    }
    try (Stream<Path> files = Files.list(shared.resolve("scenarios/examples"))) {
      return files.filter(f -> f.getFileName().toString().startsWith("netpol-")).sorted().toList().stream();
    }
  }

  @ParameterizedTest(name = "{0}", allowZeroInvocations = true)
  @MethodSource("sharedExamples")
  void sharedExamplesAgreeWithTheCompiler(Path file) {
    tablesAgreeWithTheCompiler(file);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scenarios")
  void tablesAgreeWithTheCompiler(Path file) {
    Scenario s = ScenarioParser.parse(file);
    Model m = new Model(s);
    List<String> wrong = new ArrayList<>();
    for (Scenario.Step step : s.steps()) {
      m.perform(step);
      NetworkPolicyCompiler.Result r = m.compile();
      // corpus convention: only policies named bad-* are invalid, and those must be reported
      assertEquals(List.of(), r.problems().stream().filter(problem -> !problem.contains("/bad-")).toList(),
          step.describe());
      for (Scenario.Probe p : step.probes()) {
        for (var row : p.rows().entrySet()) {
          String[] cells = row.getValue().split(" ");
          for (int c = 0; c < cells.length; c++) {
            String src = row.getKey();
            String dst = p.columns().get(c);
            if (src.equals(dst)) {
              assertEquals("-", cells[c], file + ": loopback cell " + src + " should be '-'");
              continue;
            }
            if (cells[c].equals("-")) {
              continue;
            }
            String got = m.connects(r, src, dst, p.port(), p.protocol()) ? "." : "X";
            if (!got.equals(cells[c])) {
              wrong.add(step.describe() + " " + p.port() + "/" + p.protocol() + " " + src + " -> " + dst
                  + ": table says " + cells[c] + ", compiler says " + got);
            }
          }
        }
      }
    }
    if (!wrong.isEmpty()) {
      fail(file + ":\n  " + String.join("\n  ", wrong));
    }
  }

  /** The cluster state a scenario's steps change, as the compiler reads it. */
  private static final class Model {
    final Map<String, Map<String, String>> namespaces = new TreeMap<>();
    final Map<String, Scenario.TopologyPod> pods = new LinkedHashMap<>();
    final Map<String, Map<String, String>> podLabels = new LinkedHashMap<>();
    final Map<String, NetworkPolicy> policies = new TreeMap<>();

    Model(Scenario s) {
      s.namespaces().forEach(ns -> namespaces.put(ns.name(), new LinkedHashMap<>(ns.labels())));
      for (Scenario.TopologyPod p : s.pods()) {
        assertNotNull(p.syntheticIp(), s.file() + ": corpus pods pin their address (" + p.ref() + ")");
        pods.put(p.ref(), p);
        podLabels.put(p.ref(), new LinkedHashMap<>(p.labels()));
      }
    }

    void perform(Scenario.Step step) {
      Map<String, Object> f = step.fields();
      switch (step.action()) {
        case "create-policy", "update-policy" -> {
          NetworkPolicy np = JSON.convertValue(substitute(f.get("policy")), NetworkPolicy.class);
          policies.put(np.getMetadata().getNamespace() + "/" + np.getMetadata().getName(), np);
        }
        case "delete-policy" -> assertNotNull(policies.remove(f.get("namespace") + "/" + f.get("name")),
            step.describe() + ": no such policy");
        case "delete-all-policies" -> policies.clear();
        case "set-pod-labels" -> podLabels.put(String.valueOf(f.get("pod")), strings(f.get("labels")));
        case "set-namespace-labels" -> {
          Map<String, String> labels = strings(f.get("labels"));
          String ns = String.valueOf(f.get("namespace"));
          labels.put("kubernetes.io/metadata.name", ns); // as the API server keeps it
          namespaces.put(ns, labels);
        }
        default -> fail(step.describe() + ": the netpol corpus uses no " + step.action());
      }
    }

    NetworkPolicyCompiler.Result compile() {
      List<Namespace> ns = new ArrayList<>();
      namespaces.forEach((name, labels) -> ns.add(new NamespaceBuilder().withNewMetadata().withName(name)
          .withLabels(labels).endMetadata().build()));
      List<Pod> ps = new ArrayList<>();
      for (Scenario.TopologyPod p : pods.values()) {
        ps.add(new PodBuilder().withNewMetadata().withNamespace(p.namespace()).withName(p.name())
            .withLabels(podLabels.get(p.ref())).endMetadata()
            .withNewSpec().addNewContainer().withName("serve").withPorts(p.containerPorts().stream()
                .map(cp -> new ContainerPortBuilder().withName(cp.name()).withContainerPort(cp.port())
                    .withProtocol(cp.protocol()).build()).toList()).endContainer().endSpec()
            .withNewStatus().withPhase("Running").withPodIP(p.syntheticIp()).endStatus().build());
      }
      HashSet<String> ips = new HashSet<>();
      pods.values().forEach(p -> ips.add(p.syntheticIp()));
      return NetworkPolicyCompiler.compile(List.copyOf(policies.values()), ns, ps, ips);
    }

    boolean connects(NetworkPolicyCompiler.Result r, String src, String dst, int port, String protocol) {
      Scenario.TopologyPod from = pods.get(src);
      Scenario.TopologyPod to = pods.get(dst);
      assertNotNull(from, "no pod " + src);
      assertNotNull(to, "no pod " + dst);
      boolean served = !protocol.equals("SCTP")
          && to.containerPorts().stream().anyMatch(cp -> cp.port() == port && cp.protocol().equals(protocol));
      Proto proto = Proto.valueOf(protocol);
      PodPolicy a = r.pods().getOrDefault(from.syntheticIp(), PodPolicy.OPEN);
      PodPolicy b = r.pods().getOrDefault(to.syntheticIp(), PodPolicy.OPEN);
      return served && a.egress().allows(Interval.parseIp(to.syntheticIp()), proto, port)
          && b.ingress().allows(Interval.parseIp(from.syntheticIp()), proto, port);
    }

    private Object substitute(Object v) {
      if (v instanceof String s) {
        Matcher m = PLACEHOLDER.matcher(s);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
          String ip = pods.get(m.group(2)).syntheticIp();
          m.appendReplacement(sb, Matcher.quoteReplacement(m.group(1).equals("IP") ? ip : ScenarioRunner.cidr4(ip)));
        }
        return m.appendTail(sb).toString();
      }
      if (v instanceof Map<?, ?> map) {
        Map<Object, Object> copy = new LinkedHashMap<>();
        map.forEach((k, x) -> copy.put(k, substitute(x)));
        return copy;
      }
      if (v instanceof List<?> list) {
        return list.stream().map(this::substitute).toList();
      }
      return v;
    }

    private static Map<String, String> strings(Object v) {
      Map<String, String> out = new LinkedHashMap<>();
      if (v instanceof Map<?, ?> m) {
        m.forEach((k, x) -> out.put(String.valueOf(k), String.valueOf(x)));
      }
      return out;
    }
  }
}
