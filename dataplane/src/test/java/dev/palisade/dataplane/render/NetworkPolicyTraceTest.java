package dev.palisade.dataplane.render;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.palisade.dataplane.netpol.NetworkPolicyCompiler;
import dev.palisade.dataplane.netpol.PodPolicy;
import dev.palisade.dataplane.render.NodeRules.Direction;
import dev.palisade.dataplane.render.NodeRules.Enforcement;
import dev.palisade.dataplane.render.NodeRules.Group;
import dev.palisade.dataplane.render.PacketTracer.Verdict;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * NetworkPolicy compiled, rendered and traced end to end: one node holding every pod (so both the
 * source's egress and the destination's ingress are on it), one group per pod, the Palisade
 * allow-list open. The kernel-side verdicts must be exactly the ones Kubernetes semantics give.
 */
class NetworkPolicyTraceTest {
  private static final KubernetesSerialization YAML = new KubernetesSerialization();
  private static final Map<String, String> PODS = new LinkedHashMap<>();

  static {
    PODS.put("x/a", "10.244.1.1");
    PODS.put("x/b", "10.244.1.2");
    PODS.put("y/a", "10.244.2.1");
    PODS.put("y/b", "10.244.2.2");
  }

  private static Pod pod(String ref, String portsYaml) {
    String[] nsName = ref.split("/");
    return YAML.unmarshal("""
        metadata: {namespace: %s, name: %s, labels: {pod: %s}}
        spec: {containers: [{name: c, ports: %s}]}
        status: {phase: Running, podIP: %s}
        """.formatted(nsName[0], nsName[1], nsName[1], portsYaml, PODS.get(ref)), Pod.class);
  }

  private static Namespace namespace(String name) {
    return YAML.unmarshal("metadata: {name: " + name + "}", Namespace.class);
  }

  private static NetworkPolicy policy(String yaml) {
    return YAML.unmarshal(yaml, NetworkPolicy.class);
  }

  @Test
  void renderedRulesGiveKubernetesVerdicts() {
    List<Pod> pods = List.of(
        pod("x/a", "[{name: http, containerPort: 8080}, {name: serve-81-udp, containerPort: 81, protocol: UDP}]"),
        pod("x/b", "[{name: http, containerPort: 9090}]"),
        pod("y/a", "[]"),
        pod("y/b", "[]"));
    List<NetworkPolicy> policies = List.of(
        policy("""
            metadata: {name: x-from-y, namespace: x}
            spec:
              podSelector: {}
              ingress:
              - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: y}}}]
                ports: [{port: http}, {protocol: UDP, port: 80, endPort: 81}]
            """),
        policy("""
            metadata: {name: a-to-block, namespace: y}
            spec:
              podSelector: {matchLabels: {pod: a}}
              policyTypes: [Egress]
              egress: [{to: [{ipBlock: {cidr: 10.244.0.0/16, except: [10.244.1.2/32]}}]}]
            """),
        policy("""
            metadata: {name: b-to-http, namespace: y}
            spec:
              podSelector: {matchLabels: {pod: b}}
              policyTypes: [Egress]
              egress: [{ports: [{port: http}]}]
            """));
    var compiled = NetworkPolicyCompiler.compile(policies, List.of(namespace("x"), namespace("y")), pods,
        Set.copyOf(PODS.values()));
    assertEquals(List.of(), compiled.problems());

    List<Group> groups = new ArrayList<>();
    int i = 0;
    for (var e : compiled.pods().entrySet()) {
      PodPolicy p = e.getValue();
      groups.add(new Group("p" + i, i++, Set.of(e.getKey()), direction(p.ingress()), direction(p.egress())));
    }
    PacketTracer tracer = new PacketTracer(RulesetRenderer.render(new NodeRules(groups)));

    Set<String> accepted = new TreeSet<>();
    for (String src : PODS.keySet()) {
      for (String dst : PODS.keySet()) {
        for (String probe : List.of("tcp/8080", "tcp/9090", "udp/81", "udp/82", "sctp/8080")) {
          String[] pp = probe.split("/");
          if (!src.equals(dst) && tracer.trace(PODS.get(src), PODS.get(dst), pp[0], Integer.parseInt(pp[1]))
              .verdict() == Verdict.ACCEPT) {
            accepted.add(src + ">" + dst + " " + probe);
          }
        }
      }
    }
    Set<String> expected = new TreeSet<>();
    // x/a and x/b accept only y's pods, on their own "http" number and UDP 80-81; they send freely.
    for (String p : List.of("tcp/8080", "tcp/9090", "udp/81", "udp/82", "sctp/8080")) {
      for (String dst : List.of("y/a", "y/b")) {
        expected.add("x/a>" + dst + " " + p);
        expected.add("x/b>" + dst + " " + p);
      }
      expected.add("y/a>y/b " + p); // y/a's block covers y/b, and y/b's ingress is open
    }
    // y/a reaches x/a through its block; x/b is excepted from it.
    expected.add("y/a>x/a tcp/8080");
    expected.add("y/a>x/a udp/81");
    // y/b may only send to "http" of each destination pod: x/a's 8080, x/b's 9090; y/a has none.
    expected.add("y/b>x/a tcp/8080");
    expected.add("y/b>x/b tcp/9090");
    assertEquals(expected, accepted);
  }

  private static Direction direction(PodPolicy.Side side) {
    return new Direction(side.isolated(), side.any(), side.rects(), Enforcement.OPEN, Set.of(), Set.of());
  }
}
