package dev.palisade.dataplane.netpol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.palisade.dataplane.render.AllowRect.Proto;
import dev.palisade.dataplane.render.Interval;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The upstream e2e model as test data: namespaces x, y, z; pods a, b, c in each (10.244.N.M),
 * labelled pod=NAME, each serving serve-80-tcp, serve-81-tcp, serve-80-udp and serve-81-udp.
 * Verdicts are the conjunction the dataplane enforces: the source's egress and the destination's
 * ingress, each judged on its own pod's compiled policy.
 */
final class NetpolFixture {
  private static final KubernetesSerialization YAML = new KubernetesSerialization();

  final List<Namespace> namespaces = new ArrayList<>();
  final List<Pod> pods = new ArrayList<>();
  final Map<String, String> ipOf = new LinkedHashMap<>();

  /** The full 3 x 3 model. */
  static NetpolFixture model() {
    NetpolFixture f = new NetpolFixture();
    String[] nss = {"x", "y", "z"};
    String[] names = {"a", "b", "c"};
    for (int n = 0; n < nss.length; n++) {
      f.namespace(nss[n], Map.of("ns", nss[n]));
      for (int p = 0; p < names.length; p++) {
        f.pod(nss[n], names[p], "10.244." + (n + 1) + "." + (p + 1), Map.of("pod", names[p]),
            "serve-80-tcp:80/TCP", "serve-81-tcp:81/TCP", "serve-80-udp:80/UDP", "serve-81-udp:81/UDP");
      }
    }
    return f;
  }

  NetpolFixture namespace(String name, Map<String, String> labels) {
    namespaces.add(new NamespaceBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata().build());
    return this;
  }

  /** ports: "name:number/PROTO" (name may be empty). */
  Pod pod(String ns, String name, String ip, Map<String, String> labels, String... ports) {
    Pod p = new PodBuilder().withNewMetadata().withNamespace(ns).withName(name).withLabels(labels).endMetadata()
        .withNewSpec().addNewContainer().withName("serve")
        .withPorts(Arrays.stream(ports).map(NetpolFixture::port).toList()).endContainer().endSpec()
        .withNewStatus().withPhase("Running").withPodIP(ip).endStatus().build();
    pods.add(p);
    if (ip != null) {
      ipOf.put(ns + "/" + name, ip);
    }
    return p;
  }

  /** A pod in the given phase, e.g. Failed or Succeeded (terminal pods keep their status.podIP). */
  Pod podInPhase(String ns, String name, String ip, String phase, Map<String, String> labels) {
    Pod p = new PodBuilder(pod(ns, name, ip, labels)).editStatus().withPhase(phase).endStatus().build();
    pods.set(pods.size() - 1, p);
    return p;
  }

  private static io.fabric8.kubernetes.api.model.ContainerPort port(String spec) {
    String name = spec.substring(0, spec.indexOf(':'));
    String[] numberProto = spec.substring(spec.indexOf(':') + 1).split("/");
    return new ContainerPortBuilder().withName(name.isEmpty() ? null : name)
        .withContainerPort(Integer.parseInt(numberProto[0])).withProtocol(numberProto[1]).build();
  }

  static NetworkPolicy policy(String yaml) {
    return YAML.unmarshal(yaml, NetworkPolicy.class);
  }

  NetworkPolicyCompiler.Result compile(NetworkPolicy... policies) {
    return NetworkPolicyCompiler.compile(List.of(policies), namespaces, pods, new HashSet<>(ipOf.values()));
  }

  /** Both ends, each on its own compiled policy; an address without a compiled pod is unrestricted. */
  static boolean allowed(NetworkPolicyCompiler.Result r, String srcIp, String dstIp, Proto proto, int port) {
    PodPolicy src = r.pods().getOrDefault(srcIp, PodPolicy.OPEN);
    PodPolicy dst = r.pods().getOrDefault(dstIp, PodPolicy.OPEN);
    return src.egress().allows(Interval.parseIp(dstIp), proto, port)
        && dst.ingress().allows(Interval.parseIp(srcIp), proto, port);
  }

  /** By pod reference, ns/name. */
  boolean podsAllowed(NetworkPolicyCompiler.Result r, String src, String dst, Proto proto, int port) {
    return allowed(r, ipOf.get(src), ipOf.get(dst), proto, port);
  }

  /**
   * Asserts a truth table in the e2e style: the first line names the destination pods, each
   * further line a source pod and one cell per destination: '.' allowed, 'X' denied, '-' not asserted.
   */
  void assertTable(NetworkPolicyCompiler.Result r, Proto proto, int port, String table) {
    List<String> lines = table.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    List<String> columns = List.of(lines.get(0).split("\\s+"));
    StringBuilder expected = new StringBuilder();
    StringBuilder actual = new StringBuilder();
    for (String line : lines.subList(1, lines.size())) {
      String[] cells = line.split("\\s+");
      assertEquals(columns.size() + 1, cells.length, "row '" + line + "' does not fit the columns " + columns);
      expected.append(cells[0]);
      actual.append(cells[0]);
      for (int c = 0; c < columns.size(); c++) {
        String want = cells[c + 1];
        String got = want.equals("-") ? "-" : podsAllowed(r, cells[0], columns.get(c), proto, port) ? "." : "X";
        expected.append(' ').append(want);
        actual.append(' ').append(got);
      }
      expected.append('\n');
      actual.append('\n');
    }
    assertEquals(expected.toString(), actual.toString(), proto + "/" + port + " (columns " + columns + ")");
  }

  static Set<String> ips(String... ips) {
    return Set.of(ips);
  }
}
