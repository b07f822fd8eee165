package dev.palisade.lab.daemon;

import dev.palisade.dataplane.agent.AgentJvm;
import dev.palisade.dataplane.podstart.PodStart;
import dev.palisade.dataplane.tls.ControllerTrust;
import dev.palisade.lab.cluster.Lab;
import dev.palisade.lab.deploy.DeployBundle;
import dev.palisade.lab.deploy.KustomizeRenderer;
import dev.palisade.lab.deploy.Manifest;
import dev.palisade.lab.net.LabNetwork;
import dev.palisade.lab.net.Prober;
import dev.palisade.lab.tls.LabCertificates;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Palisade in a lab the way a cluster runs it: deploy/base's namespace, CRDs, ServiceAccounts and
 * RBAC applied to the lab's API server, then the controller and one agent per node, each its own
 * OS process, started with the command lines of deploy/base's Deployment and DaemonSet and
 * {@linkplain SupervisedProcess supervised} as kubelet would. Only what a pod would get from its
 * environment differs: the listen address and controller URL (loopback instead of a Service), the
 * token files (written here instead of projected volumes), the controller's certificate and CA
 * (made here by {@link LabCertificates} instead of mounted from the Secret palisade-controller-tls),
 * and, for an agent, the node's network namespace to program. The API speaks TLS as in a cluster:
 * {@link #httpClient()} trusts the lab's CA alone.
 *
 * <pre>
 *  lab API server (127.0.0.1, RBAC)  <-- kubeconfig with the palisade-controller SA token -- controller process
 *        ^                                                                                   ^  (127.0.0.1:PORT)
 *        +-- kubeconfig with the palisade-agent SA token -- agent process N --flows, drops---+
 *                                                            | --netns pal-ID-nN
 *                                                            v
 *                                         node N's nftables and conntrack
 * </pre>
 *
 * <p>The agent process lives in the host's network namespace and enters its node's namespace for
 * its kernel handles (nftables, conntrack, NFLOG): the lab's node namespaces have no route to the
 * loopback API server, as a real node's host network would have.
 */
public final class PalisadeProcesses implements AutoCloseable {
  public static final String NAMESPACE = "palisade-system";
  public static final String CONTROLLER_SA = "palisade-controller";
  public static final String AGENT_SA = "palisade-agent";
  public static final String AGENT_AUDIENCE = "palisade-controller";
  /** The agents' controller tokens: an hour, as the DaemonSet's projected token; the agent re-reads its file. */
  static final Duration TOKEN_TTL = Duration.ofHours(1);
  /**
   * The processes' API tokens sit in a kubeconfig, which fabric8 reads once at start (in a pod it
   * re-reads the projected token file instead): long enough for a lab's life, rewritten all the same.
   */
  static final Duration API_TOKEN_TTL = Duration.ofHours(24);

  /**
   * Tokens a cluster would hand to pods: a ServiceAccount token for these audiences (empty: the API
   * server's own), bound to a pod on {@code nodeName} (null: not bound to a node).
   */
  @FunctionalInterface
  public interface TokenIssuer {
    String issue(String namespace, String serviceAccount, List<String> audiences, String nodeName, Duration ttl);
  }

  private final Lab lab;
  private final Path dir;
  private final TokenIssuer tokens;
  private final List<SupervisedProcess> processes = new ArrayList<>();
  /** Process name -> its /metrics URL (each its own free loopback port). */
  private final Map<String, String> metricsUrls = new java.util.LinkedHashMap<>();
  /** As long as the agent's own wait (PodStartSocket's), plus the connection. */
  private static final Duration POD_START_TIMEOUT = Duration.ofSeconds(35);
  private volatile PodCovered onPodCovered = (agentNanos, callNanos) -> { };
  private KubeletCni cni;
  private final PrivateFiles files = new PrivateFiles();
  private String url;
  private LabCertificates.Issued certificates;
  private ControllerTrust trust;
  private HttpClient http;
  private String approverToken;
  private String viewerToken;

  private PalisadeProcesses(Lab lab, Path dir, TokenIssuer tokens) {
    this.lab = lab;
    this.dir = dir;
    this.tokens = tokens;
  }

  /**
   * Applies deploy/base (but its Deployment and DaemonSet) and starts the controller and the agents
   * with {@code launcher} (the command that runs {@code palisade}, e.g. java -cp JAR Main) and waits
   * until the controller is ready and every node has its table.
   */
  public static PalisadeProcesses start(Lab lab, List<String> launcher, Path dir, TokenIssuer tokens,
      Duration timeout) {
    PalisadeProcesses p = new PalisadeProcesses(lab, dir, tokens);
    boolean ok = false;
    try {
      p.run(launcher, timeout);
      ok = true;
      return p;
    } finally {
      if (!ok) {
        p.close();
      }
    }
  }

  private void run(List<String> launcher, Duration timeout) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    cni = KubeletCni.prepare(dir.resolve("cni")); // first: a plugin that does not build fails the lab at once
    List<Manifest> base = KustomizeRenderer.render(DeployBundle.extract(dir.resolve("deploy")).resolve("base"));
    DeployBase.applyAllBut(lab.client(), base);
    int port = freePort();
    url = "https://127.0.0.1:" + port;
    certificates = LabCertificates.write(dir.resolve("tls"), LabCertificates.CONTROLLER_NAMES);
    trust = ControllerTrust.of(certificates.ca(), false);
    http = trust.builder(url).connectTimeout(Duration.ofSeconds(2)).build();
    writeTlsObjects();
    writeUsers();
    long deadline = System.nanoTime() + timeout.toNanos();

    List<String> controller = new ArrayList<>(launcher);
    controller.addAll(DeployBase.replace(DeployBase.argsOf(base, "Deployment"), Map.of(
        "--listen", "127.0.0.1:" + port, "--metrics-listen", metricsListen("controller"), "--tls-cert", certificates.cert().toString(),
        "--tls-key", certificates.key().toString())));
    controller.add("--users-file=" + dir.resolve("users"));
    Path controllerKube = dir.resolve("controller.kubeconfig");
    keepKubeconfig(controllerKube, CONTROLLER_SA, null);
    SupervisedProcess c = new SupervisedProcess("controller", controller, Map.of("KUBECONFIG", controllerKube.toString(),
        "POD_NAME", "palisade-controller-lab", "POD_NAMESPACE", NAMESPACE), dir.resolve("controller.log"));
    processes.add(c);
    c.start();
    ProcessReadiness.awaitController(http, url, c, dir, deadline);

    for (LabNetwork.Node node : lab.network().nodes()) {
      String nodeName = "lab-node-" + node.index();
      Path token = dir.resolve("agent-" + node.index() + ".token");
      files.keep(token, () -> tokens.issue(NAMESPACE, AGENT_SA, List.of(AGENT_AUDIENCE), nodeName, TOKEN_TTL), TOKEN_TTL);
      Path kube = dir.resolve("agent-" + node.index() + ".kubeconfig");
      keepKubeconfig(kube, AGENT_SA, nodeName);
      List<String> agent = agentLauncher(launcher);
      Path podStart = podStartSocket(node.index());
      agent.addAll(DeployBase.replace(DeployBase.argsOf(base, "DaemonSet"), Map.of(
          "--controller", url, "--token-file", token.toString(), "--metrics-listen", metricsListen("agent-" + node.index()), "--ca", certificates.ca().toString(),
          "--pod-start-socket", podStart.toString())));
      agent.add("--netns=" + node.ns().name());
      // the lab's own probes (palisade lab probe, scenario probes) are not the app's traffic
      agent.add("--ignore-source-ports=" + Prober.PROBE_PORT_FIRST + "-" + Prober.PROBE_PORT_LAST);
      SupervisedProcess a = new SupervisedProcess("agent-" + node.index(), agent,
          Map.of("KUBECONFIG", kube.toString(), "NODE_NAME", nodeName), dir.resolve("agent-" + node.index() + ".log"));
      processes.add(a);
      a.start();
    }
    for (LabNetwork.Node node : lab.network().nodes()) {
      ProcessReadiness.awaitTable(node, processes.get(1 + node.index()), dir, deadline);
    }
    // the lab's kubelet runs the node's CNI plugin, chained after its own wiring as a runtime runs
    // it after the network plugin: a pod's network waits until its agent's rules cover it
    lab.podNetworkHook((ns, name, ip, node) -> {
      long t0 = System.nanoTime();
      long agentNanos = cni.podStarting(new PodStart(ns, name, ip), podStartSocket(node), POD_START_TIMEOUT);
      onPodCovered.covered(agentNanos, System.nanoTime() - t0);
    });
  }

  /** Where agent N listens for pod starts (short: a Unix socket's path has at most 107 bytes). */
  private Path podStartSocket(int node) {
    return dir.resolve("agent-" + node + ".pod-start.sock");
  }

  /**
   * A pod start covered: the agent's own time (as it measured it) and the whole call's (the
   * plugin's exec included), in nanoseconds.
   */
  public interface PodCovered {
    void covered(long agentNanos, long callNanos);
  }

  /** What the lab's kubelet runs to tell an agent of a pod start (the CNI plugin binary, or Java without gcc). */
  public String podStartCaller() {
    return cni.description();
  }

  /** Told each pod start's times: a benchmark's samples. */
  public void onPodCovered(PodCovered consumer) {
    this.onPodCovered = consumer;
  }

  /**
   * The launcher with the agent image's JVM options ({@link AgentJvm#asInContainer}: its GC, heap
   * sizing and the DaemonSet's memory limit as the JVM's RAM) when it starts java; another
   * launcher (a script, a native image) is used as given.
   */
  static List<String> agentLauncher(List<String> launcher) {
    List<String> out = new ArrayList<>(launcher);
    if (!out.isEmpty() && Path.of(out.get(0)).getFileName().toString().equals("java")) {
      out.addAll(1, AgentJvm.asInContainer());
    }
    return out;
  }

  /** A free loopback port for the process's metrics (as a pod's own port in a cluster), noted for `lab status`. */
  private String metricsListen(String process) {
    String at = "127.0.0.1:" + freePort();
    metricsUrls.put(process, "http://" + at + "/metrics");
    return at;
  }

  private void writeUsers() {
    approverToken = PrivateFiles.randomToken();
    viewerToken = PrivateFiles.randomToken();
    String users = approverToken + ",lab-approver,approver\n" + viewerToken + ",lab-viewer,viewer\n";
    PrivateFiles.write(dir.resolve("users"), users);
    // what a cluster holds for the controller to mount (README: Secret palisade-users)
    lab.client().resource(new SecretBuilder().withNewMetadata().withName("palisade-users").withNamespace(NAMESPACE)
        .endMetadata().withStringData(Map.of("tokens", users)).build()).createOr(NonDeletingOperation::update);
    PrivateFiles.write(dir.resolve("approver.token"), approverToken + "\n");
    PrivateFiles.write(dir.resolve("viewer.token"), viewerToken + "\n");
  }

  /**
   * What a cluster holds for the pods to mount (README: Secret palisade-controller-tls, ConfigMap
   * palisade-controller-ca), so that the lab's API server shows the same objects; the processes
   * here read the files directly.
   */
  private void writeTlsObjects() {
    try {
      String cert = Files.readString(certificates.cert());
      String ca = Files.readString(certificates.ca());
      lab.client().resource(new SecretBuilder().withNewMetadata().withName("palisade-controller-tls")
          .withNamespace(NAMESPACE).endMetadata().withType("kubernetes.io/tls").withStringData(Map.of("tls.crt", cert,
              "tls.key", Files.readString(certificates.key()), "ca.crt", ca)).build())
          .createOr(NonDeletingOperation::update);
      lab.client().resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder().withNewMetadata()
          .withName("palisade-controller-ca").withNamespace(NAMESPACE).endMetadata().withData(Map.of("ca.crt", ca))
          .build()).createOr(NonDeletingOperation::update);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the lab's certificates in " + dir.resolve("tls"), e);
    }
  }

  /** Writes the kubeconfig now and again before its token expires, as kubelet rotates projected tokens. */
  private void keepKubeconfig(Path file, String serviceAccount, String nodeName) {
    files.keep(file, () -> kubeconfig(lab.api().url(), serviceAccount,
        tokens.issue(NAMESPACE, serviceAccount, List.of(), nodeName, API_TOKEN_TTL)), API_TOKEN_TTL);
  }

  static String kubeconfig(String server, String user, String token) {
    return """
        apiVersion: v1
        kind: Config
        clusters:
        - name: palisade-lab
          cluster: {server: "%s", insecure-skip-tls-verify: true}   # the lab's self-signed loopback certificate
        users:
        - name: %s
          user: {token: "%s"}
        contexts:
        - name: palisade-lab
          context: {cluster: palisade-lab, user: %s, namespace: %s}
        current-context: palisade-lab
        """.formatted(server, user, token, user, NAMESPACE);
  }

  public String url() {
    return url;
  }

  /** A client of the controller's API that trusts the lab's CA alone (shared; the JDK client is thread-safe). */
  public HttpClient httpClient() {
    return http;
  }

  /** A fresh builder with the lab CA's trust, for a client with its own timeouts. */
  public HttpClient.Builder httpClientBuilder() {
    return trust.builder(url);
  }

  /** The lab CA's certificate (PEM): {@code --ca} or {@code PALISADE_CA} for the CLI. */
  public Path caFile() {
    return certificates.ca();
  }

  /** The CA, the controller's certificate and key this lab made. */
  public LabCertificates.Issued certificates() {
    return certificates;
  }

  public String approverToken() {
    return approverToken;
  }

  public String viewerToken() {
    return viewerToken;
  }

  public Path approverTokenFile() {
    return dir.resolve("approver.token");
  }

  /** The /metrics URL of the process named "controller" or "agent-N"; empty if it has none. */
  public String metricsUrl(String process) {
    return metricsUrls.getOrDefault(process, "");
  }

  /** Every process's /metrics URL, by process name (controller first). */
  public Map<String, String> metricsUrls() {
    return Map.copyOf(metricsUrls);
  }

  public List<SupervisedProcess> processes() {
    return List.copyOf(processes);
  }

  /** The supervised process named "controller" or "agent-N". */
  public SupervisedProcess process(String name) {
    return processes.stream().filter(p -> p.name().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no Palisade process " + name + " in this lab"));
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free loopback port", e);
    }
  }

  /** Stops the agents, then the controller (SIGTERM); their tables stay until the lab's namespaces go. */
  @Override
  public void close() {
    lab.podNetworkHook(null); // no agent to tell: the lab's pods start as on a node without Palisade
    files.close();
    for (int i = processes.size() - 1; i >= 0; i--) {
      processes.get(i).stop(Duration.ofSeconds(10));
    }
  }
}
