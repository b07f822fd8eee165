package dev.palisade.dataplane.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.dataplane.agent.NodeRulesBuilder;
import dev.palisade.dataplane.apply.RulesetApplier;
import dev.palisade.dataplane.dns.DnsWire.Rr;
import dev.palisade.dataplane.render.AllowRect;
import dev.palisade.dataplane.render.AllowRect.Proto;
import dev.palisade.dataplane.render.Interval;
import dev.palisade.dataplane.render.NodeRules;
import dev.palisade.dataplane.render.RulesetRenderer;
import dev.palisade.kernel.netns.NetNs;
import dev.palisade.kernel.nfqueue.NfQueue;
import dev.palisade.kernel.nft.LibNftables;
import dev.palisade.model.IdentityPolicy;
import dev.palisade.model.Mode;
import dev.palisade.model.crd.AllowListCodec;
import dev.palisade.model.crd.AllowListSpec;
import dev.palisade.testkit.KernelTest;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The DNS hold on the real kernel: two pods, a cluster DNS and an "outside" host, each a network
 * namespace routed through a node namespace holding the agent's rendered ruleset (both pods'
 * egress enforced, approved to api.example on tcp/8443 by an AllowList peerName rule) and the
 * hold's NFQUEUE rule. The DNS answers api.example -> 10.253.9.2 with TTL 2; grace is 1 s.
 */
@KernelTest
class DnsHoldIT {
  private static final String TAG = "dns22-" + ProcessHandle.current().pid();
  private static final String NODE = "pal-t-n-" + TAG;
  private static final String POD1 = "pal-t-p1-" + TAG;
  private static final String POD2 = "pal-t-p2-" + TAG;
  private static final String DNS = "pal-t-d-" + TAG;
  private static final String OUT = "pal-t-o-" + TAG;
  private static final int QUEUE = 4022;
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void teardown() throws Exception {
    try {
      for (int i = open.size() - 1; i >= 0; i--) {
        open.get(i).close();
      }
    } finally {
      for (String ns : List.of(POD1, POD2, DNS, OUT, NODE)) {
        NetNs.delete(ns);
      }
    }
  }

  private <T extends AutoCloseable> T kept(T c) {
    open.add(c);
    return c;
  }

  private NetNs attach(NetNs node, String name, int subnet, String... extra) {
    NetNs ns = kept(NetNs.create(name));
    NetNs.vethPair(name, "pal-e" + subnet, NODE, "pal-n" + subnet);
    node.exec("ip", "addr", "add", "10.253." + subnet + ".1/24", "dev", "pal-n" + subnet);
    ns.exec("ip", "addr", "add", "10.253." + subnet + ".2/24", "dev", "pal-e" + subnet);
    for (String a : extra) {
      ns.exec("ip", "addr", "add", a + "/24", "dev", "pal-e" + subnet);
    }
    ns.exec("ip", "route", "add", "default", "via", "10.253." + subnet + ".1");
    return ns;
  }

  @Test
  void approvedNamesOpenExactlyWhatThePodResolvedUntilTtlPlusGrace() throws Exception {
    NetNs node = kept(NetNs.create(NODE));
    node.exec("sysctl", "-qw", "net.ipv4.ip_forward=1");
    NetNs pod1 = attach(node, POD1, 1);
    NetNs pod2 = attach(node, POD2, 2);
    NetNs dns = attach(node, DNS, 8);
    NetNs out = attach(node, OUT, 9, "10.253.9.3");
    kept(out.call(() -> ServerSocketChannel.open().bind(new InetSocketAddress("0.0.0.0", 8443))));
    DatagramSocket responder = kept(dns.call(() -> new DatagramSocket(new InetSocketAddress("10.253.8.2", 53))));
    Thread server = new Thread(() -> answer(responder), "dns-responder");
    server.setDaemon(true);
    server.start();

    // the agent's path: an AllowList with a peerName rule -> node rules -> rendered ruleset -> kernel
    AllowListSpec.Rule rule = new AllowListSpec.Rule();
    rule.peerName = "api.example";
    rule.protocol = "TCP";
    rule.ports = "8443";
    AllowListSpec spec = new AllowListSpec();
    spec.identity = 300;
    spec.mode = "enforce";
    spec.egress = List.of(rule);
    IdentityPolicy policy = AllowListCodec.fromSpec(spec);
    Map<String, Long> localPods = Map.of("10.253.1.2", 300L, "10.253.2.2", 300L);
    Map<Long, IdentityPolicy> policies = Map.of(300L, policy);
    NodeRules built = NodeRulesBuilder.build(localPods, Map.of(300L, Set.of("10.253.1.2", "10.253.2.2")), policies,
        Mode.ENFORCE);
    NodeRules.Failsafe failsafe = new NodeRules.Failsafe(Set.of(),
        Set.of(new AllowRect(Interval.ip("10.253.8.2"), Proto.UDP, Interval.port(53))));
    NodeRules rules = new NodeRules(built.groups(), failsafe);
    LibNftables nft = kept(LibNftables.open(node));
    new RulesetApplier(nft).apply(RulesetRenderer.render(rules));

    ResolvedNames names = new ResolvedNames(Duration.ofSeconds(1), 100, 1000);
    NameGrants grants = NameGrants.of(localPods, policies);
    DnsHold hold = new DnsHold(nft, names, () -> grants, System::currentTimeMillis);
    DnsHoldHook.Runner iptables = argv -> {
      try {
        node.exec(argv.toArray(String[]::new));
        return true;
      } catch (RuntimeException e) {
        return false;
      }
    };
    List<String> servers = DnsHoldHook.dnsServers(failsafe);
    assertEquals(List.of("10.253.8.2"), servers);
    DnsHoldHook.install(iptables, QUEUE, servers);
    DnsHoldHook.install(iptables, QUEUE, servers); // idempotent: still one rule
    assertEquals(1, node.exec("iptables-nft", "-t", "mangle", "-S", "FORWARD").lines()
        .filter(l -> l.contains(DnsHoldHook.COMMENT)).count());
    NfQueue queue = kept(node.call(() -> NfQueue.open(QUEUE, hold)));

    assertFalse(connect(pod1, "10.253.9.2"), "before resolving, the outside is closed");
    assertEquals(List.of("10.253.9.2"), resolve(pod1, "api.example"));
    assertTrue(connect(pod1, "10.253.9.2"), "the first connection after the answer passes");
    // (checked before the drops below: each waits out a dropped SYN, longer than TTL + grace)
    assertEquals(Set.of("api.example"), names.namesFor("10.253.1.2", "10.253.9.2", System.currentTimeMillis()));
    assertEquals(1, fqdnElements(nft));
    assertFalse(connect(pod1, "10.253.9.3"), "an address the name did not resolve to");
    assertFalse(connect(pod2, "10.253.9.2"), "a pod that did not resolve the name");
    assertEquals(List.of("10.253.9.2"), resolve(pod1, "api.example"));
    assertTrue(connect(pod1, "10.253.9.2"), "a new answer opens it again");
    assertEquals(List.of(), resolve(pod2, "other.example"), "answers of other names pass too (DNS is failsafe)");
    assertFalse(connect(pod2, "10.253.9.2"), "an unapproved name opens nothing");
    assertTrue(queue.received() >= 2);

    // TTL 2 + grace 1: the kernel expires the element by itself
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (fqdnElements(nft) > 0 && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    assertEquals(0, fqdnElements(nft), "the element outlived TTL + grace");
    assertFalse(connect(pod1, "10.253.9.2"), "after TTL + grace the address is closed again");
    DnsHoldHook.remove(iptables, QUEUE, servers);
    assertEquals(0, node.exec("iptables-nft", "-t", "mangle", "-S", "FORWARD").lines()
        .filter(l -> l.contains(DnsHoldHook.COMMENT)).count());
  }

  private static int fqdnElements(LibNftables nft) {
    return nft.table(RulesetRenderer.FAMILY, RulesetRenderer.TABLE).orElseThrow().set(RulesetRenderer.FQDN_SET)
        .orElseThrow().elements().size();
  }

  /** The test's cluster DNS: api.example -> 10.253.9.2 (TTL 2); any other name has no address. */
  private static void answer(DatagramSocket s) {
    byte[] buf = new byte[512];
    while (!s.isClosed()) {
      try {
        DatagramPacket q = new DatagramPacket(buf, buf.length);
        s.receive(q);
        String name = DnsWire.questionOf(q.getData(), q.getLength());
        if (name == null) {
          continue;
        }
        int id = ((buf[0] & 0xff) << 8) | (buf[1] & 0xff);
        List<Rr> rrs = name.equals("api.example") ? List.of(new Rr(name, "A", 2, "10.253.9.2")) : List.of();
        byte[] r = DnsWire.response(id, name, rrs);
        s.send(new DatagramPacket(r, r.length, q.getSocketAddress()));
      } catch (java.io.IOException e) {
        return; // closed
      }
    }
  }

  /** Asks the cluster DNS from {@code pod}; the addresses in the answer. */
  private static List<String> resolve(NetNs pod, String name) {
    return pod.call(() -> {
      try (DatagramSocket s = new DatagramSocket()) {
        s.setSoTimeout(2000);
        byte[] q = DnsWire.query(0x2222, name);
        s.send(new DatagramPacket(q, q.length, new InetSocketAddress("10.253.8.2", 53)));
        DatagramPacket r = new DatagramPacket(new byte[512], 512);
        s.receive(r);
        byte[] packet = DnsAnswersTest.ipv4("10.0.0.1", java.util.Arrays.copyOf(r.getData(), r.getLength()));
        return DnsAnswers.parse(packet).answer().addresses().stream().map(DnsAnswers.Resolved::address).toList();
      }
    });
  }

  private static boolean connect(NetNs pod, String address) {
    return pod.call(() -> {
      try (SocketChannel ch = SocketChannel.open()) {
        // a bound on how long a dropped SYN is waited for, not an assertion on time
        ch.socket().connect(new InetSocketAddress(address, 8443), 1500);
        return true;
      } catch (java.io.IOException e) {
        return false;
      }
    });
  }
}
