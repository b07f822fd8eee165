package dev.palisade.lab.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.dataplane.agent.NodeAgent;
import dev.palisade.kernel.netns.NetNs;
import dev.palisade.lab.net.LabNetwork;
import dev.palisade.lab.net.Prober;
import dev.palisade.model.crd.SegmentationMode;
import dev.palisade.model.crd.SegmentationModeSpec;
import dev.palisade.testkit.KernelTest;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The agent on the real kernel, in a 2-node lab: enforcement same-node and cross-node, monitor
 * mode's would-drops, a revoked edge cutting its live connection, IP reuse, and an agent restart
 * under load.
 */
@KernelTest
class AgentIT {
  private static final Duration READY = Duration.ofSeconds(90);
  private static final String APP = """
      apiVersion: v1
      kind: Namespace
      metadata: {name: shop}
      ---
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web, namespace: shop}
      spec:
        replicas: 1
        selector: {matchLabels: {app: web}}
        template:
          metadata: {labels: {app: web}}
          spec:
            containers: [{name: web, image: web, ports: [{containerPort: 8080}]}]
      ---
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: api, namespace: shop}
      spec:
        replicas: 2
        selector: {matchLabels: {app: api}}
        template:
          metadata: {labels: {app: api}}
          spec:
            containers: [{name: api, image: api, ports: [{containerPort: 9090}]}]
      """;

  private Lab lab;
  private LabPalisade pal;

  @BeforeEach
  void up() {
    lab = Lab.start("ag" + ProcessHandle.current().pid() % 100000, 2);
    pal = lab.palisade().orElseThrow();
    lab.apply(APP);
    lab.awaitReady(READY);
  }

  @AfterEach
  void down() {
    String id = lab.id();
    lab.close();
    assertEquals(List.of(), NetNs.list(NetNs.PREFIX + id + "-"), "the lab left namespaces behind");
  }

  private List<LabNetwork.Pod> pods(String prefix) {
    return lab.network().pods().stream().filter(p -> p.key().startsWith("shop/" + prefix + "-"))
        .sorted(java.util.Comparator.comparing(LabNetwork.Pod::key)).toList();
  }

  private boolean connect(LabNetwork.Pod from, LabNetwork.Pod to, int port) {
    return Prober.connect(from.ns(), to.ip(), port, "TCP", Prober.DEFAULT_TIMEOUT, false);
  }

  private boolean probe(LabNetwork.Pod from, LabNetwork.Pod to, int port) {
    return Prober.probe(from, to.ip(), port, "TCP", Prober.DEFAULT_TIMEOUT);
  }

  private void mode(String mode) {
    SegmentationMode m = new SegmentationMode();
    m.setMetadata(new ObjectMetaBuilder().withNamespace("shop").withName("namespace").build());
    m.setSpec(new SegmentationModeSpec());
    m.getSpec().mode = mode;
    lab.client().resources(SegmentationMode.class).inNamespace("shop").resource(m).createOr(NonDeletingOperation::update);
    lab.awaitReady(READY);
  }

  private String api(String method, String path, String token, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(pal.url() + path)).header("Authorization", "Bearer " + token)
        .timeout(Duration.ofSeconds(20));
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    // A client per call: a pooled keep-alive connection to the controller replaced by
    // restartController() is dead, and the JDK client may wait on it until the timeout.
    HttpResponse<String> r = pal.httpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    return r.body();
  }

  private void review(String status) throws Exception {
    pal.flushFlows(Duration.ofSeconds(10));
    api("POST", "/v1/review", pal.approverToken(), "{\"status\":\"" + status + "\",\"only\":[{\"from\":"
        + "\"shop/Deployment/web\",\"to\":\"shop/Deployment/api\",\"port\":9090,\"protocol\":\"TCP\"}]}");
    lab.awaitReady(READY);
  }

  /** web (1 pod) learns to talk to both api pods, approved, enforced. */
  private void learnApproveEnforce() throws Exception {
    LabNetwork.Pod web = pods("web").get(0);
    for (LabNetwork.Pod a : pods("api")) {
      assertTrue(connect(web, a, 9090));
    }
    review("approved");
    mode("enforce");
  }

  @Test
  void enforcedPairsSameAndCrossNodeAndDropsAreReported() throws Exception {
    List<LabNetwork.Pod> apis = pods("api");
    LabNetwork.Pod web = pods("web").get(0);
    assertNotEquals(apis.get(0).node(), apis.get(1).node(), "the scheduler spreads api over both nodes");
    learnApproveEnforce();
    for (LabNetwork.Pod a : apis) {
      assertTrue(probe(web, a, 9090), "approved web -> " + a.key() + " (node " + a.node() + ", web on " + web.node() + ")");
      assertFalse(probe(web, a, 9091), "unapproved port");
      assertFalse(probe(a, web, 8080), "unapproved direction api -> web");
    }
    assertFalse(probe(apis.get(0), apis.get(1), 9090), "api -> api was never approved");
    pal.flushFlows(Duration.ofSeconds(5));
    String drops = api("GET", "/v1/drops", pal.viewerToken(), null);
    assertTrue(drops.contains("\"kind\":\"enforce\"") && drops.contains("\"source\":\"shop/Deployment/api\""), drops);
  }

  @Test
  void monitorPassesEverythingAndReportsWouldDrops() throws Exception {
    mode("monitor");
    LabNetwork.Pod web = pods("web").get(0);
    LabNetwork.Pod api = pods("api").get(0);
    assertTrue(probe(api, web, 8080), "monitor never drops");
    assertTrue(probe(web, api, 9090));
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (pal.agents().stream().mapToLong(NodeAgent::wouldDropsLogged).sum() == 0 && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    pal.flushFlows(Duration.ofSeconds(5));
    String drops = api("GET", "/v1/drops", pal.viewerToken(), null);
    assertTrue(drops.contains("\"kind\":\"monitor\"") && drops.contains("\"destination\":\"shop/Deployment/web\""), drops);
  }

  @Test
  void aRevokedEdgeCutsItsLiveConnection() throws Exception {
    learnApproveEnforce();
    LabNetwork.Pod web = pods("web").get(0);
    LabNetwork.Pod api = pods("api").get(0);
    SocketChannel live = web.ns().call(SocketChannel::open);
    try (live) {
      live.socket().connect(new InetSocketAddress(api.ip(), 9090), 1000);
      live.socket().setSoTimeout(1000);
      assertTrue(echoes(live), "the approved connection works");
      review("rejected");
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      boolean alive = true;
      while (alive && System.nanoTime() < deadline) {
        alive = echoes(live);
      }
      assertFalse(alive, "the revoked edge's live connection no longer carries data");
      assertTrue(pal.agents().stream().mapToLong(NodeAgent::connectionsCut).sum() > 0, "the agent says it cut it");
      assertFalse(probe(web, api, 9090), "and new ones are refused");
    }
  }

  private static boolean echoes(SocketChannel ch) {
    try {
      ch.write(ByteBuffer.wrap("ping\n".getBytes()));
      byte[] b = new byte[5];
      int n = ch.socket().getInputStream().read(b);
      return n > 0;
    } catch (IOException e) {
      return false;
    }
  }

  @Test
  void aReusedIpGetsTheRulesOfItsNewWorkload() throws Exception {
    learnApproveEnforce();
    LabNetwork.Pod web = pods("web").get(0);
    LabNetwork.Pod victim = pods("api").get(0);
    assertTrue(probe(web, victim, 9090));
    // Free the api pod's IP by shrinking api to one pod, then start a bare pod on that node: the
    // runtime hands out the lowest free IP, which is the one just freed.
    String freedIp = victim.ip();
    lab.client().pods().inNamespace("shop").withName(victim.key().substring(5)).delete();
    lab.awaitReady(READY);
    Pod intruder = new PodBuilder().withMetadata(new ObjectMetaBuilder().withNamespace("shop").withName("intruder")
        .addToLabels("app", "intruder").build()).withNewSpec().withNodeName("lab-node-" + victim.node())
        .addNewContainer().withName("c").withImage("x").addNewPort().withContainerPort(9090).endPort().endContainer()
        .endSpec().build();
    // the deleted api pod is replaced by its ReplicaSet first; the intruder then takes a freed IP
    lab.client().pods().inNamespace("shop").resource(intruder).create();
    lab.awaitReady(READY);
    LabNetwork.Pod in = lab.network().pod("shop/intruder");
    if (!in.ip().equals(freedIp)) {
      // the replacement api pod took the freed IP: then the replacement must be reachable (api's
      // rules followed the IP to the same workload), and the intruder is not.
      assertTrue(lab.network().pods().stream().anyMatch(p -> p.ip().equals(freedIp) && p.key().startsWith("shop/api-")));
    }
    assertFalse(probe(web, in, 9090), "web may reach api, not whatever holds an api pod's old IP");
  }

  @Test
  void anAgentRestartNeitherBreaksNorLeaks() throws Exception {
    learnApproveEnforce();
    LabNetwork.Pod web = pods("web").get(0);
    List<LabNetwork.Pod> apis = pods("api");
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger allowedFailed = new AtomicInteger();
    AtomicInteger deniedPassed = new AtomicInteger();
    AtomicInteger rounds = new AtomicInteger();
    Thread load = new Thread(() -> {
      while (!stop.get()) {
        for (LabNetwork.Pod a : apis) {
          if (!probe(web, a, 9090)) {
            allowedFailed.incrementAndGet();
          }
          if (probe(a, web, 8080)) {
            deniedPassed.incrementAndGet();
          }
        }
        rounds.incrementAndGet();
      }
    });
    load.start();
    try {
      Thread.sleep(500);
      for (int i = 0; i < 2; i++) {
        pal.restartAgent(i);
        Thread.sleep(300);
      }
      lab.awaitReady(READY);
      int seen = rounds.get();
      while (rounds.get() < seen + 2) {
        Thread.sleep(100); // a couple more rounds against the adopted tables
      }
    } finally {
      stop.set(true);
      load.join();
    }
    assertTrue(rounds.get() >= 3, "probes ran throughout: " + rounds.get());
    assertEquals(0, allowedFailed.get(), "allowed connections failed during the restarts");
    assertEquals(0, deniedPassed.get(), "denied connections passed during the restarts");
    assertEquals(0, pal.agents().stream().mapToLong(NodeAgent::applyFailures).sum());
  }

  @Test
  void aControllerRestartDuringLearningLosesNothingAndEnforcementHolds() throws Exception {
    learnApproveEnforce();
    LabNetwork.Pod web = pods("web").get(0);
    LabNetwork.Pod api = pods("api").get(0);
    // learning goes on for another workload pair while the controller is replaced
    assertFalse(connect(api, web, 8080), "api -> web is not approved");
    String before = api("GET", "/v1/graph", pal.viewerToken(), null);
    var ids = lab.client().resources(dev.palisade.model.crd.WorkloadIdentity.class).inNamespace("shop").list()
        .getItems().stream().map(w -> w.getMetadata().getName() + "=" + w.getSpec().id).sorted().toList();
    pal.restartController();
    assertTrue(probe(web, api, 9090), "enforcement held: approved still connects");
    assertFalse(probe(api, web, 8080), "enforcement held: denied still refused");
    String after = api("GET", "/v1/graph", pal.viewerToken(), null);
    assertEquals(edges(before), edges(after), "every edge and its status survived the restart");
    assertEquals(ids, lab.client().resources(dev.palisade.model.crd.WorkloadIdentity.class).inNamespace("shop").list()
        .getItems().stream().map(w -> w.getMetadata().getName() + "=" + w.getSpec().id).sorted().toList());
    // and the new controller keeps learning: a new edge arrives through the agents
    mode("learn");
    assertTrue(connect(api, web, 8080));
    pal.flushFlows(Duration.ofSeconds(10));
    assertTrue(api("GET", "/v1/graph", pal.viewerToken(), null).contains("\"source\":\"shop/Deployment/api\",\"destination\":\"shop/Deployment/web\""));
  }

  @Test
  void theClusterDnsStaysReachableFromAnEnforcedPodWithNothingApprovedForIt() throws Exception {
    lab.apply("""
        apiVersion: v1
        kind: Namespace
        metadata: {name: kube-system}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: coredns, namespace: kube-system}
        spec:
          replicas: 1
          selector: {matchLabels: {k8s-app: kube-dns}}
          template:
            metadata: {labels: {k8s-app: kube-dns}}
            spec:
              containers:
              - name: coredns
                image: coredns
                ports: [{containerPort: 53, protocol: UDP}, {containerPort: 53, protocol: TCP}, {containerPort: 9153}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: kube-dns, namespace: kube-system}
        spec:
          selector: {k8s-app: kube-dns}
          ports:
          - {name: dns, port: 53, protocol: UDP}
          - {name: dns-tcp, port: 53, protocol: TCP}
          - {name: metrics, port: 9153, protocol: TCP}
        """);
    lab.awaitReady(READY);
    learnApproveEnforce();
    LabNetwork.Pod web = pods("web").get(0);
    LabNetwork.Pod dns = lab.network().pods().stream().filter(p -> p.key().startsWith("kube-system/coredns-"))
        .findFirst().orElseThrow();
    assertTrue(Prober.probe(web, dns.ip(), 53, "UDP", Prober.DEFAULT_TIMEOUT), "DNS over UDP: failsafe");
    assertTrue(Prober.probe(web, dns.ip(), 53, "TCP", Prober.DEFAULT_TIMEOUT), "DNS over TCP: failsafe");
    assertFalse(Prober.probe(web, dns.ip(), 9153, "TCP", Prober.DEFAULT_TIMEOUT),
        "the DNS pod's other ports are not part of the failsafe: web's egress is enforced");
    assertTrue(probe(web, pods("api").get(0), 9090), "the approved edge still passes");
  }

  /** The edges of a graph JSON without counts (which may grow): source, destination, port, status. */
  private static List<String> edges(String graphJson) {
    var m = java.util.regex.Pattern.compile("\"source\":\"([^\"]+)\",\"destination\":\"([^\"]+)\",\"protocol\":\"(\\w+)\","
        + "\"port\":(\\d+),\"status\":\"(\\w+)\"").matcher(graphJson);
    List<String> out = new java.util.ArrayList<>();
    while (m.find()) {
      out.add(m.group(1) + ">" + m.group(2) + ":" + m.group(4) + "/" + m.group(3) + " " + m.group(5));
    }
    return out;
  }
}
