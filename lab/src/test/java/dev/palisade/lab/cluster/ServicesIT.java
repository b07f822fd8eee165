package dev.palisade.lab.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.kernel.netns.Commands;
import dev.palisade.kernel.netns.NetNs;
import dev.palisade.lab.kube.dns.DnsMessage;
import dev.palisade.lab.net.LabNetwork;
import dev.palisade.lab.net.Prober;
import dev.palisade.model.crd.SegmentationMode;
import dev.palisade.model.crd.SegmentationModeSpec;
import dev.palisade.testkit.KernelTest;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Services as in a cluster, on the real kernel: a Deployment of two replicas behind a Service,
 * reached through its cluster IP from a pod on each node (the DNAT happens in the client's node,
 * the endpoint may be on the other), by name through the lab's DNS and each pod's resolv.conf;
 * a Service without endpoints refuses; Palisade in enforce mode drops the cluster IP connection
 * (it judges the real pod after DNAT) while DNS keeps resolving (its failsafe).
 */
@KernelTest
class ServicesIT {
  private static final Duration READY = Duration.ofSeconds(60);

  @Test
  void clusterIpsAndDnsWorkFromEveryNodeAndPalisadeJudgesTheRealPod() throws Exception {
    String id = "svc" + ProcessHandle.current().pid() % 100000;
    Path resolvDir;
    try (Lab lab = Lab.start(id, 2)) {
      lab.apply("""
          apiVersion: v1
          kind: Namespace
          metadata: {name: shop}
          ---
          apiVersion: apps/v1
          kind: Deployment
          metadata: {name: web, namespace: shop}
          spec:
            replicas: 2
            selector: {matchLabels: {app: web}}
            template:
              metadata: {labels: {app: web}}
              spec: {containers: [{name: web, image: web, ports: [{containerPort: 8080}]}]}
          ---
          apiVersion: v1
          kind: Service
          metadata: {name: web, namespace: shop}
          spec:
            selector: {app: web}
            ports: [{name: http, port: 80, targetPort: 8080}]
          ---
          apiVersion: apps/v1
          kind: Deployment
          metadata: {name: solo, namespace: shop}
          spec:
            replicas: 1
            selector: {matchLabels: {app: solo}}
            template:
              metadata: {labels: {app: solo}}
              spec: {containers: [{name: solo, image: solo, ports: [{containerPort: 9000}]}]}
          ---
          apiVersion: v1
          kind: Service
          metadata: {name: solo, namespace: shop}
          spec:
            selector: {app: solo}
            ports: [{port: 90, targetPort: 9000}]
          ---
          apiVersion: v1
          kind: Pod
          metadata: {name: client-0, namespace: shop, labels: {app: client}}
          spec: {nodeName: lab-node-0, containers: [{name: c, image: client}]}
          ---
          apiVersion: v1
          kind: Pod
          metadata: {name: client-1, namespace: shop, labels: {app: client}}
          spec: {nodeName: lab-node-1, containers: [{name: c, image: client}]}
          """);
      lab.awaitReady(READY);
      String vip = lab.client().services().inNamespace("shop").withName("web").get().getSpec().getClusterIP();
      assertTrue(vip.startsWith("10.96.") && !vip.equals("10.96.0.1") && !vip.equals("10.96.0.10"), vip);
      assertEquals("10.96.0.10", lab.client().services().inNamespace("kube-system").withName("kube-dns").get()
          .getSpec().getClusterIP());
      LabNetwork.Pod c0 = lab.network().pod("shop/client-0");
      LabNetwork.Pod c1 = lab.network().pod("shop/client-1");
      Set<Integer> webNodes = new HashSet<>();
      lab.network().pods().stream().filter(p -> p.key().startsWith("shop/web-")).forEach(p -> webNodes.add(p.node()));
      assertEquals(Set.of(0, 1), webNodes, "one replica per node: each client has a local and a remote endpoint");

      // ClusterIP from both nodes; random choice of endpoint, so several connections reach both.
      for (LabNetwork.Pod client : List.of(c0, c1)) {
        for (int i = 0; i < 6; i++) {
          assertTrue(Prober.probe(client, vip, 80, "TCP", Prober.DEFAULT_TIMEOUT), client.key() + " -> " + vip + ":80 #" + i);
        }
      }
      // hairpin: the only endpoint reaching itself through its own Service
      LabNetwork.Pod solo = lab.network().pods().stream().filter(p -> p.key().startsWith("shop/solo-")).findFirst().orElseThrow();
      String soloVip = lab.client().services().inNamespace("shop").withName("solo").get().getSpec().getClusterIP();
      assertTrue(Prober.probe(solo, soloVip, 90, "TCP", Prober.DEFAULT_TIMEOUT), "hairpin through " + soloVip);

      // DNS: the full name, the short name through the search path, an unknown name
      resolvDir = Path.of("/etc/netns", c0.ns().name());
      assertTrue(Files.readString(resolvDir.resolve("resolv.conf")).contains("search shop.svc.cluster.local"));
      assertEquals(vip, getent(c0.ns(), "web.shop.svc.cluster.local"));
      assertEquals(vip, getent(c1.ns(), "web"));
      assertEquals(vip, getent(c1.ns(), "web.shop"));
      assertEquals("", getent(c0.ns(), "nope.shop.svc.cluster.local"));
      assertEquals(List.of(vip), tcpQuery(c0.ns(), "web.shop.svc.cluster.local"), "DNS over TCP");

      // no endpoints: refused at once, as kube-proxy does
      lab.client().apps().deployments().inNamespace("shop").withName("web").scale(0);
      lab.awaitReady(READY);
      assertEquals("refused", connect(c0.ns(), vip, 80));
      assertEquals("refused", connect(c1.ns(), vip, 80));
      lab.client().apps().deployments().inNamespace("shop").withName("web").scale(2);
      lab.awaitReady(READY);
      assertEquals("connected", connect(c1.ns(), vip, 80));

      // Palisade enforcing shop with nothing approved: the cluster IP is dropped, DNS still answers
      SegmentationMode m = new SegmentationMode();
      m.setMetadata(new ObjectMetaBuilder().withNamespace("shop").withName("namespace").build());
      m.setSpec(new SegmentationModeSpec());
      m.getSpec().mode = "enforce";
      lab.client().resources(SegmentationMode.class).inNamespace("shop").resource(m).createOr(NonDeletingOperation::update);
      lab.awaitReady(READY);
      assertFalse(Prober.probe(c0, vip, 80, "TCP", Prober.DEFAULT_TIMEOUT), "enforced: the cluster IP is dropped");
      assertFalse(Prober.probe(c1, vip, 80, "TCP", Prober.DEFAULT_TIMEOUT), "enforced, other node");
      assertEquals(vip, getent(c0.ns(), "web"), "DNS through the failsafe (UDP)");
      assertEquals(List.of(vip), tcpQuery(c1.ns(), "web.shop.svc.cluster.local"), "DNS through the failsafe (TCP)");
    }
    assertFalse(Files.exists(resolvDir), "the pod's resolv.conf went with the lab");
    assertEquals(List.of(), NetNs.list("pal-" + id + "-"));
  }

  /** The address getent finds for the name inside the pod, or "" when it finds none. */
  private static String getent(NetNs pod, String name) {
    Commands.Result r = Commands.runAllowingFailure("ip", "netns", "exec", pod.name(), "getent", "ahostsv4", name);
    if (r.exitCode() != 0) {
      return "";
    }
    return r.stdout().strip().split("\\s+")[0];
  }

  /** A query over TCP to the cluster DNS's Service IP, from the pod. */
  private static List<String> tcpQuery(NetNs pod, String name) throws IOException {
    try (SocketChannel ch = pod.call(SocketChannel::open)) {
      ch.socket().connect(new InetSocketAddress("10.96.0.10", 53), 2000);
      ch.socket().setSoTimeout(2000);
      byte[] q = DnsMessage.query(7, name, DnsMessage.TYPE_A);
      var out = new java.io.DataOutputStream(ch.socket().getOutputStream());
      out.writeShort(q.length);
      out.write(q);
      var in = new java.io.DataInputStream(ch.socket().getInputStream());
      byte[] r = in.readNBytes(in.readUnsignedShort());
      return DnsMessage.addresses(r, r.length);
    }
  }

  /** "connected", "refused" or "timeout": how a TCP connection from the pod ends. */
  private static String connect(NetNs pod, String ip, int port) throws IOException {
    try (SocketChannel ch = pod.call(SocketChannel::open)) {
      ch.socket().connect(new InetSocketAddress(ip, port), 2000);
      return "connected";
    } catch (java.net.ConnectException e) {
      return e.getMessage() != null && e.getMessage().contains("refused") ? "refused" : e.getMessage();
    } catch (java.net.SocketTimeoutException e) {
      return "timeout";
    }
  }
}
