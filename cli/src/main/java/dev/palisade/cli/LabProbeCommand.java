package dev.palisade.cli;

import dev.palisade.kernel.netns.NetNs;
import dev.palisade.lab.daemon.LabState;
import dev.palisade.lab.net.Prober;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code palisade lab probe}: one new connection from a lab pod's namespace to a pod or a Service's
 * cluster IP, as the app would make it; prints the verdict.
 */
@Command(name = "probe", description = "A new connection from a pod to a pod or service; prints the verdict.")
final class LabProbeCommand implements Callable<Integer> {
  @Option(names = "--from", required = true, description = "ns/pod")
  String from;

  @Option(names = "--to", required = true, description = "ns/pod or service/ns/name")
  String to;

  @Option(names = "--port", required = true)
  int port;

  @Option(names = "--protocol", defaultValue = "TCP", description = "TCP or UDP")
  String protocol;

  @Override
  public Integer call() throws Exception {
    Optional<LabState> running = LabCommand.runningLab();
    if (running.isEmpty()) {
      return 2;
    }
    LabState state = running.get();
    protocol = protocol.toUpperCase(java.util.Locale.ROOT);
    if (!protocol.equals("TCP") && !protocol.equals("UDP")) {
      System.err.println("palisade lab: --protocol must be TCP or UDP, not " + protocol);
      return 2;
    }
    Map<String, String[]> byKey = new LinkedHashMap<>();
    for (String[] p : LabCommand.pods(state)) {
      byKey.put(p[0], p);
    }
    String[] src = byKey.get(from);
    if (src == null) {
      System.err.println("palisade lab: no running pod " + from + " (see `palisade lab status`)");
      return 2;
    }
    String ip;
    int dport = port;
    if (to.startsWith("service/")) {
      String[] s = to.split("/");
      if (s.length != 3) {
        System.err.println("palisade lab: --to service/NS/NAME, not " + to);
        return 2;
      }
      // through the Service's cluster IP, DNAT'd by the node's kube-proxy table as in a cluster
      String clusterIp = clusterIp(state, s[1], s[2], port, protocol);
      if (clusterIp == null) {
        System.err.println("palisade lab: service " + s[1] + "/" + s[2] + " has no cluster IP with port " + port + "/"
            + protocol);
        return 2;
      }
      ip = clusterIp;
    } else {
      String[] dst = byKey.get(to);
      if (dst == null) {
        System.err.println("palisade lab: no running pod " + to);
        return 2;
      }
      ip = dst[2];
    }
    boolean ok;
    try (NetNs ns = NetNs.attach(src[3])) {
      ok = Prober.probe(ns, ip, dport, protocol, Prober.DEFAULT_TIMEOUT);
    }
    System.out.println((ok ? "connected" : "no connection") + ": " + from + " -> " + to + " (" + ip + ":" + dport
        + "/" + protocol + ")");
    return ok ? 0 : 1;
  }

  /** The Service's cluster IP, if it has one and serves this port and protocol. */
  static String clusterIp(LabState state, String ns, String name, int port, String protocol) throws IOException {
    Config config = Config.fromKubeconfig(Files.readString(state.kubeconfig()));
    try (KubernetesClient c = new KubernetesClientBuilder().withConfig(config).build()) {
      Service svc = c.services().inNamespace(ns).withName(name).get();
      if (svc == null || svc.getSpec().getClusterIP() == null || svc.getSpec().getClusterIP().isBlank()
          || svc.getSpec().getClusterIP().equals("None")) {
        return null;
      }
      boolean serves = svc.getSpec().getPorts().stream().anyMatch(p -> p.getPort() == port
          && Objects.equals(Optional.ofNullable(p.getProtocol()).orElse("TCP"), protocol));
      return serves ? svc.getSpec().getClusterIP() : null;
    }
  }
}
