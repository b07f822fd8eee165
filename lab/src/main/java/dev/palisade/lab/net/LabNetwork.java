package dev.palisade.lab.net;

import dev.palisade.kernel.netns.Commands;
import dev.palisade.kernel.netns.NetNs;
import java.io.IOException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * The lab's pod network on the real kernel, routed like Calico: every pod is a network
 * namespace with one veth into its node's namespace and a /32 route there; nodes reach each
 * other's pods through a fabric namespace acting as the top-of-rack router (a /32 route per pod
 * pointing at the pod's node). No bridge between pods, so every pod-to-pod packet crosses a
 * node's forward hook, where the dataplane enforces.
 *
 * <pre>
 *  pal-ID-pN (pod)  eth0 --veth-- pvN  pal-ID-nK (node) uplink --veth-- nK  pal-ID-f (fabric)
 *  10.244.x.y/32                      ip_forward, proxy_arp   10.243.K.2   10.243.K.1
 * </pre>
 *
 * Pod IPs need not match a node CIDR (scenarios pin synthetic IPs), which /32 routes allow.
 * Every namespace is named {@code pal-ID-...}; {@link #close()} and {@link #reap(String)} remove
 * them all, also after a crash of an earlier run with the same id.
 */
public final class LabNetwork implements AutoCloseable {
  private static final Pattern LAB_ID = Pattern.compile("[a-z0-9]{1,12}");
  private static final String GATEWAY = "169.254.1.1";
  /** A node's interface to the fabric. */
  static final String UPLINK = "uplink";

  private final String prefix;
  private final NetNs fabric;
  private final List<Node> nodes = new ArrayList<>();
  private final Map<String, Pod> pods = new ConcurrentHashMap<>();
  private final AtomicInteger podSeq = new AtomicInteger();
  private final EchoServer echo = new EchoServer();
  private final PodPrograms programs;

  /** A node: its namespace (where the agent programs nftables) and its uplink address. */
  public record Node(int index, NetNs ns, String uplinkIp) {}

  /** A pod: its namespace, IP, node, node-side interface, and the channels serving its ports. */
  public record Pod(String key, NetNs ns, String ip, int node, String hostIf, List<SelectableChannel> served) {}

  /** A container port to serve: protocol "TCP" or "UDP" (SCTP ports are not served). */
  public record ServedPort(int port, String protocol) {}

  public LabNetwork(String labId, int nodeCount) {
    if (!LAB_ID.matcher(labId).matches()) {
      throw new IllegalArgumentException("lab id must match " + LAB_ID.pattern() + ": " + labId);
    }
    if (nodeCount < 1 || nodeCount > 50) {
      throw new IllegalArgumentException("node count must be 1..50: " + nodeCount);
    }
    this.prefix = NetNs.PREFIX + labId + "-";
    this.programs = new PodPrograms(Path.of(System.getProperty("java.io.tmpdir"), "pal-" + labId + "-pods"));
    reap(labId);
    boolean ok = false;
    try {
      fabric = NetNs.create(prefix + "f");
      enableForwarding(fabric);
      for (int i = 0; i < nodeCount; i++) {
        NetNs ns = NetNs.create(prefix + "n" + i);
        String fabricIp = "10.243." + i + ".1";
        String nodeIp = "10.243." + i + ".2";
        NetNs.vethPair(ns.name(), "uplink", fabric.name(), "n" + i);
        ns.exec("ip", "addr", "add", nodeIp + "/24", "dev", "uplink");
        ns.exec("ip", "route", "add", "default", "via", fabricIp);
        fabric.exec("ip", "addr", "add", fabricIp + "/24", "dev", "n" + i);
        enableForwarding(ns);
        nodes.add(new Node(i, ns, nodeIp));
      }
      ok = true;
    } finally {
      if (!ok) {
        close();
      }
    }
  }

  /**
   * Deletes every namespace of a lab with this id (leftovers of a killed run), after killing the
   * processes still inside them: a lab killed with -9 leaves its pods' programs running.
   */
  public static int reap(String labId) {
    PodResolvConf.removeAll(NetNs.PREFIX + labId + "-");
    List<String> names = NetNs.list(NetNs.PREFIX + labId + "-");
    NamespaceProcesses.killAll(names);
    names.forEach(NetNs::delete);
    return names.size();
  }

  /** The namespace acting as the top-of-rack router (the lab's outside hangs off it too). */
  NetNs fabric() {
    return fabric;
  }

  /** pal-ID-: the start of every namespace name of this lab. */
  String prefix() {
    return prefix;
  }

  /** The programs the pods run (containers with a command), and where their logs go. */
  public PodPrograms programs() {
    return programs;
  }

  public List<Node> nodes() {
    return List.copyOf(nodes);
  }

  public Node node(int index) {
    if (index < 0 || index >= nodes.size()) {
      throw new IllegalArgumentException("no lab node " + index + " (the lab has " + nodes.size() + ")");
    }
    return nodes.get(index);
  }

  /**
   * Creates the pod's namespace, wires it to its node, routes its IP through the fabric, and
   * serves its ports. The key (namespace/name) must be unused; the IP must not be in use.
   */
  public Pod addPod(String key, int nodeIndex, String ip, List<ServedPort> ports) {
    Node node = node(nodeIndex);
    checkIp(ip);
    if (pods.containsKey(key)) {
      throw new IllegalArgumentException("pod " + key + " already exists in the lab network");
    }
    for (Pod p : pods.values()) {
      if (p.ip().equals(ip)) {
        throw new IllegalArgumentException("IP " + ip + " is already used by pod " + p.key());
      }
    }
    int seq = podSeq.incrementAndGet();
    String hostIf = "pv" + seq;
    NetNs ns = NetNs.create(prefix + "p" + seq);
    boolean ok = false;
    try {
      PodResolvConf.write(ns.name(), key.contains("/") ? key.substring(0, key.indexOf('/')) : "default");
      NetNs.vethPair(ns.name(), "eth0", node.ns().name(), hostIf);
      batch(ns, "addr add " + ip + "/32 dev eth0",
          "route add " + GATEWAY + " dev eth0 scope link",
          "route add default via " + GATEWAY + " dev eth0");
      // The node answers ARP for the pod's gateway on the pod's veth (Calico's trick).
      // proxy_delay 0: by default proxy ARP answers after a random delay of up to 0.8 s, which
      // would eat a probe's 1 s budget on the first packet.
      node.ns().run(() -> {
        writeSysctl("net/ipv4/conf/" + hostIf + "/proxy_arp", "1");
        writeSysctl("net/ipv4/neigh/" + hostIf + "/proxy_delay", "0");
      });
      batch(node.ns(), "route add " + ip + "/32 dev " + hostIf);
      batch(fabric, "route add " + ip + "/32 via " + node.uplinkIp());
      List<SelectableChannel> served = new ArrayList<>();
      for (ServedPort sp : ports) {
        SelectableChannel ch = ns.call(() -> open(sp));
        if (ch != null) {
          served.add(ch);
          echo.serve(ch);
        }
      }
      Pod pod = new Pod(key, ns, ip, nodeIndex, hostIf, List.copyOf(served));
      pods.put(key, pod);
      ok = true;
      return pod;
    } finally {
      if (!ok) {
        ns.delete();
        PodResolvConf.remove(ns.name());
        Commands.runAllowingFailure("ip", "-n", fabric.name(), "route", "del", ip + "/32");
      }
    }
  }

  /** Removes the pod: its servers, namespace (and so its veth and node route), fabric route. */
  public void removePod(String key) {
    programs.stop(key);
    Pod pod = pods.remove(key);
    if (pod == null) {
      return;
    }
    pod.served().forEach(echo::stop);
    NamespaceProcesses.killAll(List.of(pod.ns().name())); // what a program forked and left behind
    pod.ns().delete();
    PodResolvConf.remove(pod.ns().name());
    Commands.runAllowingFailure("ip", "-n", fabric.name(), "route", "del", pod.ip() + "/32");
  }

  public Pod pod(String key) {
    Pod p = pods.get(key);
    if (p == null) {
      throw new IllegalArgumentException("no pod " + key + " in the lab network");
    }
    return p;
  }

  public List<Pod> pods() {
    return List.copyOf(pods.values());
  }

  @Override
  public void close() {
    programs.close();
    echo.close();
    for (Pod p : pods.values()) {
      p.ns().close();
    }
    NamespaceProcesses.killAll(NetNs.list(prefix)); // what programs forked and left behind
    pods.clear();
    for (Node n : nodes) {
      n.ns().close();
    }
    if (fabric != null) {
      fabric.close();
    }
    NetNs.deleteAll(prefix);
    PodResolvConf.removeAll(prefix);
  }

  private static SelectableChannel open(ServedPort sp) throws IOException {
    return switch (sp.protocol()) {
      case "TCP" -> EchoServer.openTcp(sp.port());
      case "UDP" -> EchoServer.openUdp(sp.port());
      default -> null; // SCTP: nothing serves it in the lab; probes of it fail as unreachable.
    };
  }

  private static void enableForwarding(NetNs ns) {
    ns.run(() -> writeSysctl("net/ipv4/ip_forward", "1"));
  }

  /** Writes a net sysctl of the calling thread's namespace (call on a NetNs thread). */
  private static void writeSysctl(String key, String value) {
    try {
      Files.writeString(Path.of("/proc/sys/" + key), value);
    } catch (IOException e) {
      throw new IllegalStateException("cannot set " + key + "=" + value + ": " + e.getMessage(), e);
    }
  }

  /** Runs several `ip` commands in one process inside the namespace. */
  static void batch(NetNs ns, String... commands) {
    try {
      Path f = Files.createTempFile("pal-ip-", ".batch");
      try {
        Files.writeString(f, String.join("\n", commands) + "\n");
        Commands.run("ip", "-n", ns.name(), "-batch", f.toString());
      } finally {
        Files.deleteIfExists(f);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot write ip batch file: " + e.getMessage(), e);
    }
  }

  private static void checkIp(String ip) {
    String[] parts = ip.split("\\.");
    boolean ok = parts.length == 4;
    for (int i = 0; ok && i < 4; i++) {
      ok = parts[i].matches("\\d{1,3}") && Integer.parseInt(parts[i]) <= 255;
    }
    if (!ok) {
      throw new IllegalArgumentException("bad pod IP '" + ip + "': expected a dotted IPv4 address");
    }
  }
}
