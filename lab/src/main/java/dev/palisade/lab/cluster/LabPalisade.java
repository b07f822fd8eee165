package dev.palisade.lab.cluster;

import dev.palisade.controller.api.Principal;
import dev.palisade.controller.api.Role;
import dev.palisade.controller.api.StaticTokens;
import dev.palisade.controller.service.PalisadeController;
import dev.palisade.dataplane.agent.NodeAgent;
import dev.palisade.dataplane.flow.HttpFlowSink;
import dev.palisade.controller.tls.ServerTls;
import dev.palisade.dataplane.tls.ControllerTrust;
import dev.palisade.lab.tls.LabCertificates;
import dev.palisade.kernel.conntrack.Conntrack;
import dev.palisade.kernel.nflog.NflogListener;
import dev.palisade.dataplane.render.RulesetRenderer;
import dev.palisade.kernel.conntrack.LibConntrack;
import dev.palisade.kernel.nft.LibNftables;
import dev.palisade.lab.net.LabNetwork;
import dev.palisade.model.Mode;
import dev.palisade.model.PortRange;
import dev.palisade.lab.net.Prober;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Palisade running inside a lab: the controller (HTTP API on loopback) and one agent per node,
 * each agent programming its node's namespace through its own libnftables context and watching
 * that namespace's conntrack. Agents authenticate to the controller with per-node tokens; the
 * lab also issues an approver token for scenario steps and the CLI. The API serves TLS with a
 * certificate from a CA made at start ({@link LabCertificates}, in a temporary directory removed at
 * close); {@link #httpClient()} trusts that CA alone, as agents and the CLI do with {@code --ca}.
 */
public final class LabPalisade implements AutoCloseable {
  private PalisadeController controller;
  private final List<NodeAgent> agents = new ArrayList<>();
  private final java.util.Map<Integer, List<AutoCloseable>> handlesOf = new java.util.concurrent.ConcurrentHashMap<>();
  private final String approverToken;
  private final String viewerToken;

  private LabPalisade(PalisadeController controller, String approverToken, String viewerToken) {
    this.controller = controller;
    this.approverToken = approverToken;
    this.viewerToken = viewerToken;
  }

  private final java.util.Map<String, String> agentTokens = new java.util.concurrent.ConcurrentHashMap<>();
  private KubernetesClient client;
  private LabNetwork net;
  private StaticTokens tokens;
  private Mode defaultMode;

  private java.nio.file.Path tlsDir;
  private LabCertificates.Issued certificates;
  private ControllerTrust trust;
  private java.net.http.HttpClient http;

  public static LabPalisade start(KubernetesClient client, LabNetwork net, Mode defaultMode) {
    StaticTokens tokens = new StaticTokens();
    String approver = tokens.issue(new Principal("lab-approver", Role.APPROVER));
    String viewer = tokens.issue(new Principal("lab-viewer", Role.VIEWER));
    java.nio.file.Path tlsDir = tlsDirectory();
    LabCertificates.Issued certs = LabCertificates.write(tlsDir, LabCertificates.CONTROLLER_NAMES);
    PalisadeController controller = new PalisadeController(client, tokens, defaultMode)
        .tls(ServerTls.fromPem(certs.cert(), certs.key()));
    LabPalisade p = new LabPalisade(controller, approver, viewer);
    p.tlsDir = tlsDir;
    p.certificates = certs;
    p.trust = ControllerTrust.of(certs.ca(), false);
    p.client = client;
    p.net = net;
    p.tokens = tokens;
    p.defaultMode = defaultMode;
    boolean ok = false;
    try {
      controller.start("127.0.0.1", 0, Duration.ofSeconds(30));
      p.http = p.trust.builder(p.url()).connectTimeout(Duration.ofSeconds(2)).build();
      for (LabNetwork.Node node : net.nodes()) {
        p.agents.add(p.startAgent(node));
      }
      ok = true;
      return p;
    } finally {
      if (!ok) {
        p.close();
      }
    }
  }

  /** An agent for the node with fresh kernel handles, as a restarted agent process would have. */
  private NodeAgent startAgent(LabNetwork.Node node) {
    String name = "lab-node-" + node.index();
    LibNftables nft = LibNftables.open(node.ns());
    Conntrack ct = node.ns().call(LibConntrack::open);
    List<AutoCloseable> mine = new ArrayList<>(List.of(nft, ct));
    handlesOf.put(node.index(), mine);
    String token = agentTokens.computeIfAbsent(name, n -> tokens.issue(new Principal(n, Role.AGENT)));
    NodeAgent agent = new NodeAgent(client, name, nft, ct, new HttpFlowSink(url(), token, http))
        .ignoreSourcePorts(new PortRange(Prober.PROBE_PORT_FIRST, Prober.PROBE_PORT_LAST))
        .dnsHoldOnKernel(node.ns()); // as the agent process does by default: DNS names are learned and enforced
    agent.start(Duration.ofSeconds(30));
    // Drops (group 100) and would-drops (101) logged by this node's rules reach its agent.
    for (int group : new int[] {RulesetRenderer.DROP_LOG_GROUP, RulesetRenderer.WOULD_DROP_LOG_GROUP}) {
      mine.add(node.ns().call(() -> NflogListener.open(group, agent::onLog)));
    }
    return agent;
  }

  /**
   * Replaces the controller as a crash and restart would: the old one stops without writing
   * anything more, a new one starts on the same port from what the API server holds. Agents keep
   * enforcing meanwhile and resend the flows they could not deliver.
   */
  public PalisadeController restartController() {
    int port = controller.port();
    controller.close();
    PalisadeController fresh = new PalisadeController(client, tokens, defaultMode)
        .tls(ServerTls.fromPem(certificates.cert(), certificates.key()));
    fresh.start("127.0.0.1", port, Duration.ofSeconds(30));
    controller = fresh;
    return fresh;
  }

  /**
   * Stops node i's agent abruptly (nothing cleaned up, as after kill -9: its table stays in the
   * kernel) and starts a new one that adopts the table.
   */
  public NodeAgent restartAgent(int i) {
    NodeAgent old = agents.get(i);
    old.close();
    for (AutoCloseable h : List.copyOf(handlesOf.getOrDefault(i, List.of()))) {
      try {
        h.close();
      } catch (Exception e) {
        // a handle of the dead agent
      }
    }
    NodeAgent fresh = startAgent(net.node(i));
    agents.set(i, fresh);
    return fresh;
  }

  /** {@code https://127.0.0.1:PORT}; the certificate names 127.0.0.1, so host names are checked as in a cluster. */
  public String url() {
    return "https://127.0.0.1:" + controller.port();
  }

  /** A client of the controller's API that trusts the lab's CA alone (shared; the JDK client is thread-safe). */
  public java.net.http.HttpClient httpClient() {
    return http;
  }

  /** A fresh builder with the lab CA's trust, for a client with its own timeouts. */
  public java.net.http.HttpClient.Builder httpClientBuilder() {
    return trust.builder(url());
  }

  /** The CA, the controller's certificate and key this lab made. */
  public LabCertificates.Issued certificates() {
    return certificates;
  }

  /** The lab CA's certificate (PEM): {@code --ca} or {@code PALISADE_CA} for the CLI. */
  public java.nio.file.Path caFile() {
    return certificates.ca();
  }

  private static java.nio.file.Path tlsDirectory() {
    try {
      return java.nio.file.Files.createTempDirectory("palisade-lab-tls-");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot make a directory for the lab's certificates", e);
    }
  }

  public String approverToken() {
    return approverToken;
  }

  public String viewerToken() {
    return viewerToken;
  }

  public PalisadeController controller() {
    return controller;
  }

  public List<NodeAgent> agents() {
    return List.copyOf(agents);
  }

  /**
   * Waits until agents have seen every connection made so far (no new one for a moment), then
   * has them send their flows and the controller take them in.
   */
  public void flushFlows(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    long last = -1;
    long stableSince = System.nanoTime();
    while (System.nanoTime() < deadline) {
      long seen = agents.stream().mapToLong(NodeAgent::connectionsSeen).sum();
      if (seen != last) {
        last = seen;
        stableSince = System.nanoTime();
      } else if (System.nanoTime() - stableSince > Duration.ofMillis(400).toNanos()) {
        break;
      }
      sleep(50);
    }
    agents.forEach(NodeAgent::flushFlows);
    controller.drain();
  }

  /**
   * Blocks until every agent enforces the controller's newest revision, knows these pod IPs, and
   * computed its ruleset from exactly the NetworkPolicies, namespaces and pods the API server
   * holds now (so a policy or label change just written is in the kernel).
   */
  public void awaitConverged(Set<String> podIps, Duration timeout) {
    controller.drain();
    long revision = controller.revision();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (agents.stream().allMatch(a -> a.converged(revision, podIps))) {
        java.util.Map<String, java.util.Map<String, String>> api = java.util.Map.of(
            "NetworkPolicy", versions(client.network().v1().networkPolicies().inAnyNamespace().list().getItems()),
            "Namespace", versions(client.namespaces().list().getItems()),
            "Pod", versions(client.pods().inAnyNamespace().list().getItems()),
            ClusterPolicies.KIND, versions(ClusterPolicies.all(client)));
        if (agents.stream().allMatch(a -> api.entrySet().stream().allMatch(e -> a.enforces(e.getKey(), e.getValue())))) {
          return;
        }
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("agents did not converge on revision " + revision + " and the API server's "
            + "policies, namespaces and pods within " + timeout);
      }
      sleep(20);
    }
  }

  private static java.util.Map<String, String> versions(List<? extends io.fabric8.kubernetes.api.model.HasMetadata> objects) {
    java.util.Map<String, String> out = new java.util.HashMap<>();
    for (var o : objects) {
      String ns = o.getMetadata().getNamespace();
      out.put((ns == null ? "" : ns + "/") + o.getMetadata().getName(), o.getMetadata().getResourceVersion());
    }
    return out;
  }

  private void deleteTlsDir() {
    if (tlsDir == null) {
      return;
    }
    try (var files = java.nio.file.Files.list(tlsDir)) {
      for (java.nio.file.Path f : files.toList()) {
        java.nio.file.Files.deleteIfExists(f);
      }
      java.nio.file.Files.deleteIfExists(tlsDir);
    } catch (java.io.IOException e) {
      // a temporary directory: left for the OS to clean
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    agents.forEach(NodeAgent::close);
    controller.close();
    deleteTlsDir();
    for (List<AutoCloseable> hs : handlesOf.values()) {
      for (AutoCloseable h : hs) {
        try {
          h.close();
        } catch (Exception e) {
          // closing a kernel handle of a namespace about to be deleted
        }
      }
    }
  }
}
