package dev.palisade.lab.net;

import dev.palisade.kernel.netns.NetNs;
import dev.palisade.kernel.nft.LibNftables;
import dev.palisade.kernel.nft.Nftables;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SelectableChannel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The lab's outside: one network namespace beyond the cluster edge holding the hosts a scenario
 * declares (addresses of the documentation nets 198.51.100.0/24 and 203.0.113.0/24, which route
 * nowhere), each serving its ports with the lab's echo server. It hangs off the fabric like a
 * border router's uplink; it has no default route and routes only to the lab's own networks, so
 * no packet of the lab leaves the machine.
 *
 * <pre>
 *  pal-ID-pN (pod) -> pal-ID-nK (node: forward hook = Palisade; postrouting = EdgeNat masquerade)
 *      -> uplink 10.243.K.2 -- pal-ID-f (fabric) 10.243.250.1 --veth-- eth0 10.243.250.2  pal-ID-o
 *                                198.51.100.0/24, 203.0.113.0/24 -> o       hosts' /32s on lo
 *                                LB /32 -> node 0                           10.243.0.0/16 -> f
 * </pre>
 *
 * Pods reach the outside through their node, where Palisade's rules see the pod's own address;
 * the node then masquerades ({@link EdgeNat}), so outside hosts see the node's address and answer
 * it through the fabric. Outside hosts reach the cluster at a node's address (NodePort) or at a
 * load-balancer address the fabric routes to node 0; the lab kube-proxy DNATs both.
 * Its namespace is named like the lab's others, so the lab's teardown and reap remove it.
 */
public final class OutsideNetwork implements AutoCloseable {
  /** The networks outside hosts and load-balancer addresses come from (RFC 5737). */
  public static final List<String> NETS = List.of("198.51.100.0/24", "203.0.113.0/24");
  static final String FABRIC_IP = "10.243.250.1";
  static final String OUTSIDE_IP = "10.243.250.2";
  /** The lab's own networks: node uplinks (10.243.K.0/24) and the link to the fabric. */
  static final String LAB_NETS = "10.243.0.0/16";

  /** A host: its name, address, and the ports it serves. */
  public record Host(String name, String ip, List<LabNetwork.ServedPort> ports) {}

  private final NetNs ns;
  private final LabNetwork lab;
  private final Map<String, Host> hosts = new LinkedHashMap<>();
  private final List<SelectableChannel> served = new ArrayList<>();
  private final EchoServer echo = new EchoServer();

  private OutsideNetwork(NetNs ns, LabNetwork lab) {
    this.ns = ns;
    this.lab = lab;
  }

  /**
   * Creates the outside of this lab network with these hosts, wires it to the fabric and sets up
   * every node's edge NAT. On failure everything made so far is removed.
   */
  public static OutsideNetwork start(LabNetwork lab, List<Host> hosts) {
    NetNs ns = NetNs.create(lab.prefix() + "o");
    OutsideNetwork out = new OutsideNetwork(ns, lab);
    boolean ok = false;
    try {
      NetNs fabric = lab.fabric();
      NetNs.vethPair(ns.name(), "eth0", fabric.name(), "outside");
      LabNetwork.batch(fabric, "addr add " + FABRIC_IP + "/24 dev outside",
          "route add " + NETS.get(0) + " via " + OUTSIDE_IP,
          "route add " + NETS.get(1) + " via " + OUTSIDE_IP);
      LabNetwork.batch(ns, "link set lo up", "addr add " + OUTSIDE_IP + "/24 dev eth0",
          "route add " + LAB_NETS + " via " + FABRIC_IP);
      for (LabNetwork.Node node : lab.nodes()) {
        try (Nftables nft = LibNftables.open(node.ns())) {
          nft.run(EdgeNat.render(LabNetwork.UPLINK, NETS));
        }
      }
      for (Host h : hosts) {
        out.addHost(h);
      }
      ok = true;
      return out;
    } finally {
      if (!ok) {
        out.close();
      }
    }
  }

  private void addHost(Host h) {
    if (hosts.containsKey(h.name())) {
      throw new IllegalArgumentException("outside host " + h.name() + " is declared twice");
    }
    if (hosts.values().stream().anyMatch(o -> o.ip().equals(h.ip()))) {
      throw new IllegalArgumentException("outside host " + h.name() + ": address " + h.ip() + " is taken");
    }
    LabNetwork.batch(ns, "addr add " + h.ip() + "/32 dev lo");
    for (LabNetwork.ServedPort p : h.ports()) {
      SelectableChannel ch = ns.call(() -> open(h.ip(), p));
      if (ch != null) {
        served.add(ch);
        echo.serve(ch);
      }
    }
    hosts.put(h.name(), h);
  }

  private static SelectableChannel open(String ip, LabNetwork.ServedPort p) throws IOException {
    return switch (p.protocol()) {
      case "TCP" -> EchoServer.openTcp(new InetSocketAddress(ip, p.port()));
      case "UDP" -> EchoServer.openUdp(new InetSocketAddress(ip, p.port()));
      default -> null; // SCTP: nothing serves it, as in pods
    };
  }

  public NetNs ns() {
    return ns;
  }

  /** The host's address. */
  public String ipOf(String host) {
    Host h = hosts.get(host);
    if (h == null) {
      throw new IllegalArgumentException("no outside host " + host + " (hosts: " + hosts.keySet() + ")");
    }
    return h.ip();
  }

  /** Every host's address by name. */
  public Map<String, String> addresses() {
    Map<String, String> out = new LinkedHashMap<>();
    hosts.forEach((name, h) -> out.put(name, h.ip()));
    return out;
  }

  /**
   * Announces a load-balancer address: the outside and the fabric send it to node 0, whose
   * kube-proxy DNATs it (a /32 beats the fabric's route of the whole net to the outside).
   */
  public void announce(String lbIp) {
    LabNetwork.batch(ns, "route replace " + lbIp + "/32 via " + FABRIC_IP);
    LabNetwork.batch(lab.fabric(), "route replace " + lbIp + "/32 via " + lab.node(0).uplinkIp());
  }

  /** Stops serving; the namespace itself goes with the lab's (same prefix), or now if the lab is gone. */
  @Override
  public void close() {
    echo.close();
    ns.delete();
  }
}
