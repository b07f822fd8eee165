package dev.palisade.cli;

import dev.palisade.dataplane.dns.DnsHoldHook;
import dev.palisade.dataplane.agent.FailsafeBuilder;
import dev.palisade.dataplane.agent.NodeAgent;
import dev.palisade.dataplane.metrics.MetricsServer;
import dev.palisade.dataplane.podstart.PodStartSocket;
import dev.palisade.dataplane.render.RulesetRenderer;
import dev.palisade.kernel.conntrack.Conntrack;
import dev.palisade.kernel.conntrack.LibConntrack;
import dev.palisade.kernel.nflog.NflogListener;
import dev.palisade.kernel.nft.LibNftables;
import dev.palisade.kernel.netns.NetNs;
import dev.palisade.model.PortRange;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import dev.palisade.dataplane.tls.ControllerTrust;

/**
 * {@code palisade agent}: the node agent for NODE_NAME, in the host's network namespace (the
 * DaemonSet runs with hostNetwork), against the cluster of the pod's ServiceAccount.
 */
@Command(name = "agent", description = "Run the node agent for NODE_NAME (host network namespace).")
final class AgentCommand implements Callable<Integer> {
  @Option(names = "--controller", required = true, description = "the controller's URL, https://...")
  String controller;

  @Option(names = "--ca", description = "PEM file of the CA that signed the controller's certificate, trusted alone "
      + "(default: $PALISADE_CA; neither: the JVM's trust store)")
  Path ca;

  @Option(names = "--insecure-http", description = "allow an http:// controller URL (a controller run with "
      + "--insecure-http): the agent's token then crosses the network readable")
  boolean insecureHttp;

  @Option(names = "--token-file", defaultValue = "/var/run/secrets/kubernetes.io/serviceaccount/token",
      description = "the token presented to the controller, re-read before each report (${DEFAULT-VALUE})")
  Path tokenFile;

  // The failsafe (node to local pods: kubelet probes; pods to the API server; pods to DNS) is one
  // rule set in this version: the three flags document it in the manifest and must agree.
  @Option(names = "--failsafe-api-server", negatable = true, defaultValue = "true", fallbackValue = "true")
  boolean failsafeApiServer;

  @Option(names = "--failsafe-kubelet", negatable = true, defaultValue = "true", fallbackValue = "true")
  boolean failsafeKubelet;

  @Option(names = "--failsafe-dns", negatable = true, defaultValue = "true", fallbackValue = "true")
  boolean failsafeDns;

  @Option(names = "--dns-hold", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "hold cluster DNS answers (NFQUEUE " + DnsHoldHook.DEFAULT_QUEUE + ") until approved DNS names' "
      + "addresses are in the kernel; without it AllowList peerName rules open nothing (${DEFAULT-VALUE})")
  boolean dnsHold;

  // The lab's: its agent processes run in the host's network namespace (where the lab's API server
  // and controller listen on loopback) and program their node's namespace, as a hostNetwork pod
  // programs its node.
  @Option(names = "--netns", hidden = true, description = "program this network namespace (the lab's nodes)")
  String netns;

  @Option(names = "--ignore-source-ports", hidden = true, description = "FIRST-LAST: connections from these source "
      + "ports are not learned (the lab's own probes)")
  String ignoreSourcePorts;

  // hostNetwork: the port is taken on the node itself, so not 9090/9100 (Prometheus, node-exporter)
  @Option(names = "--metrics-listen", defaultValue = "0.0.0.0:9471", description = "HOST:PORT of /metrics "
      + "(Prometheus text) and the probes /healthz/live, /healthz/ready (${DEFAULT-VALUE}; port 0: any free port)")
  String metricsListen;

  @Option(names = "--pod-start-socket", description = "Unix socket on which the node's CNI plugin announces a pod's "
      + "address at ADD and waits until this node's rules cover it (0600; the DaemonSet: /run/palisade/pod-start.sock "
      + "on the node). Without it a pod may send packets before the agent has heard of it.")
  Path podStartSocket;

  @Override
  public Integer call() throws Exception {
    HostPort metricsAt = HostPort.parse("--metrics-listen", metricsListen);
    String node = System.getenv("NODE_NAME");
    if (node == null || node.isBlank()) {
      throw new IllegalArgumentException("NODE_NAME is not set (the downward API: spec.nodeName)");
    }
    FailsafeBuilder.Config failsafe = failsafe();
    TokenFileFlowSink sink = new TokenFileFlowSink(controller, tokenFile,
        ControllerTrust.of(ca != null ? ca : CaFile.fromEnvironment(), insecureHttp));
    Deque<AutoCloseable> open = new ArrayDeque<>();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> closeAll(open), "palisade-shutdown"));
    KubernetesClient client = new KubernetesClientBuilder().build();
    open.push(client);
    NetNs ns = netns == null ? null : NetNs.attach(netns);
    if (ns != null) {
      open.push(ns);
    }
    LibNftables nft = ns == null ? LibNftables.open() : LibNftables.open(ns);
    open.push(nft);
    Conntrack ct = ns == null ? LibConntrack.open() : ns.call(LibConntrack::open);
    open.push(ct);
    NodeAgent agent = new NodeAgent(client, node, nft, ct, sink).failsafe(failsafe);
    if (dnsHold) {
      agent.dnsHoldOnKernel(ns);
    }
    if (ignoreSourcePorts != null) {
      agent.ignoreSourcePorts(portRange(ignoreSourcePorts));
    }
    open.push(agent);
    // before start: live while the informers sync, ready once the first sync is in force
    MetricsServer metrics = MetricsServer.start(metricsAt.host(), metricsAt.port(), agent.metrics().registry(),
        agent::ready);
    open.push(metrics);
    System.err.println("palisade agent: metrics on http://" + metricsAt.host() + ":" + metrics.port() + "/metrics");
    agent.start(Duration.ofMinutes(2));
    if (podStartSocket != null) {
      // after start: a pod start waits for a sync, and syncs run once the informers have listed
      open.push(PodStartSocket.open(podStartSocket, agent::podStarting, Duration.ofSeconds(30)));
      System.err.println("palisade agent: pod starts on " + podStartSocket);
    }
    // drops (group 100) and would-drops (101) logged by this node's rules
    for (int group : new int[] {RulesetRenderer.DROP_LOG_GROUP, RulesetRenderer.WOULD_DROP_LOG_GROUP}) {
      open.push(ns == null ? NflogListener.open(group, agent::onLog)
          : ns.call(() -> NflogListener.open(group, agent::onLog)));
    }
    new CountDownLatch(1).await(); // until SIGTERM; the ruleset stays in the kernel, as after a crash
    return 0;
  }

  static PortRange portRange(String text) {
    String[] p = text.split("-", -1);
    try {
      return p.length == 2 ? new PortRange(Integer.parseInt(p[0]), Integer.parseInt(p[1]))
          : new PortRange(Integer.parseInt(text), Integer.parseInt(text));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("--ignore-source-ports takes FIRST-LAST (1..65535), not " + text);
    }
  }

  FailsafeBuilder.Config failsafe() {
    if (failsafeApiServer != failsafeKubelet || failsafeKubelet != failsafeDns) {
      throw new IllegalArgumentException("--failsafe-api-server, --failsafe-kubelet and --failsafe-dns are one rule "
          + "set in this version: give all three or none");
    }
    return failsafeDns ? FailsafeBuilder.Config.DEFAULT : FailsafeBuilder.Config.OFF;
  }

  private static void closeAll(Deque<AutoCloseable> open) {
    while (!open.isEmpty()) {
      try {
        open.pop().close();
      } catch (Exception e) {
        // shutting down: close the rest
      }
    }
  }
}
