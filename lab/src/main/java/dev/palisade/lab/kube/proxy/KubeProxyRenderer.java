package dev.palisade.lab.kube.proxy;

import dev.palisade.kernel.nft.NftObject.Chain;
import dev.palisade.kernel.nft.NftObject.Element;
import dev.palisade.kernel.nft.NftObject.NftMap;
import dev.palisade.kernel.nft.NftObject.Rule;
import dev.palisade.kernel.nft.NftObject.Table;
import dev.palisade.kernel.nft.Transaction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Pure: the lab kube-proxy's whole table for a list of proxied ports, as one transaction that
 * replaces the table atomically (delete and re-create in the same kernel transaction: no moment
 * without rules, and chains of deleted Services go with it). Shaped as kube-proxy's nftables mode:
 *
 * <pre>
 *  prerouting / output, filter, dstnat-10:  ct state new  daddr.proto.port vmap @no_endpoint_services -> reject
 *  prerouting / output, nat, dstnat:        daddr.proto.port vmap @service_ips -> goto svc_HASH_...
 *      svc_...:  numgen random mod N vmap { 0 : goto ep_..., 1 : goto ep_... }
 *      ep_...:   ip saddr EP jump mark_for_masquerade   (hairpin: a pod reaching itself)
 *                meta l4proto P dnat to EP:PORT
 *  postrouting, nat, srcnat:                mark 0x4000 -> clear it, masquerade
 *
 *  only when some Service has node ports:
 *  services:   fib daddr type local jump nodeports        (any address of the node itself)
 *  nodeports:  meta l4proto . th dport vmap @service_nodeports -> goto ext_HASH_...
 *      ext_...:  jump mark_for_masquerade; goto svc_...
 * </pre>
 *
 * Traffic arriving from beyond the cluster (a node port, a load-balancer address) is masqueraded
 * as kube-proxy does for {@code externalTrafficPolicy: Cluster}: the endpoint may sit on another
 * node, whose reply must come back through this one to be un-NATed. Palisade on the receiving
 * node still judges the outside source address: its forward hook runs before postrouting.
 *
 * Palisade's {@code pod_forward} (forward, priority filter) sees the packet after the DNAT, so it
 * judges the real destination pod; replies are un-NATed by conntrack. Only a pod reaching itself
 * through its Service is masqueraded: otherwise the packet would arrive with its own address as
 * source, which the kernel drops as martian. Every other path is routed symmetrically through
 * the source pod's node (where the DNAT happened), so conntrack sees the reply without SNAT.
 *
 * <p>Unlike kube-proxy, a cluster IP on a port no Service declares is not rejected: other tools in
 * the lab (KubeProxyCoexistenceIT) program their own VIPs in 10.96.0.0/16.
 */
public final class KubeProxyRenderer {
  public static final String FAMILY = "ip";
  /** Not Palisade's {@code inet palisade}; nft names allow no '-', hence not kube-proxy's "kube-proxy". */
  public static final String TABLE = "kube_proxy";
  /** kube-proxy's masquerade bit, which Palisade leaves alone (see the README's "Mark-free"). */
  static final String MASQUERADE_MARK = "0x4000";
  private static final String KEY_TYPE = "ipv4_addr . inet_proto . inet_service";

  private KubeProxyRenderer() {}

  public static Transaction render(List<ProxiedPort> ports) {
    Transaction tx = new Transaction(FAMILY, TABLE);
    tx.destroy(Table.of());
    tx.add(new Table(Optional.of("lab kube-proxy in nftables mode, rendered whole from Services and EndpointSlices")));
    tx.add(NftMap.of("service_ips", KEY_TYPE, "verdict"));
    tx.add(NftMap.of("no_endpoint_services", KEY_TYPE, "verdict"));
    tx.add(Chain.base("filter_prerouting", "filter", "prerouting", "dstnat - 10", "accept"));
    // nft 1.0.6 knows the name "dstnat" only on prerouting: the output hooks get its value, -100.
    tx.add(Chain.base("filter_output", "filter", "output", "-110", "accept"));
    tx.add(Chain.base("nat_prerouting", "nat", "prerouting", "dstnat", "accept"));
    tx.add(Chain.base("nat_output", "nat", "output", "-100", "accept"));
    tx.add(Chain.base("nat_postrouting", "nat", "postrouting", "srcnat", "accept"));
    tx.add(Chain.regular("endpoints_check"));
    tx.add(Chain.regular("reject_chain"));
    tx.add(Chain.regular("services"));
    tx.add(Chain.regular("mark_for_masquerade"));
    tx.add(Chain.regular("masquerading"));
    tx.add(Rule.of("filter_prerouting", "ct state new jump endpoints_check"));
    tx.add(Rule.of("filter_output", "ct state new jump endpoints_check"));
    tx.add(Rule.of("endpoints_check", "ip daddr . meta l4proto . th dport vmap @no_endpoint_services"));
    tx.add(Rule.of("reject_chain", "reject"));
    tx.add(Rule.of("nat_prerouting", "jump services"));
    tx.add(Rule.of("nat_output", "jump services"));
    tx.add(Rule.of("nat_postrouting", "jump masquerading"));
    tx.add(Rule.of("services", "ip daddr . meta l4proto . th dport vmap @service_ips"));
    tx.add(Rule.of("mark_for_masquerade", "meta mark set meta mark | " + MASQUERADE_MARK));
    tx.add(Rule.of("masquerading", "meta mark & " + MASQUERADE_MARK + " == 0 return"));
    tx.add(Rule.of("masquerading", "meta mark set meta mark ^ " + MASQUERADE_MARK));
    tx.add(Rule.of("masquerading", "masquerade fully-random"));

    List<Element> serviceIps = new ArrayList<>();
    List<Element> noEndpoints = new ArrayList<>();
    for (ProxiedPort p : ports) {
      String key = p.clusterIp() + " . " + p.protocol().toLowerCase(Locale.ROOT) + " . " + p.port();
      if (p.endpoints().isEmpty()) {
        noEndpoints.add(Element.mapping("no_endpoint_services", key, "goto reject_chain"));
        continue;
      }
      String svcChain = serviceChain(p);
      tx.add(new Chain(svcChain, Optional.empty(), Optional.of(p.label())));
      List<String> arms = new ArrayList<>();
      for (int i = 0; i < p.endpoints().size(); i++) {
        ProxiedPort.Backend b = p.endpoints().get(i);
        String epChain = endpointChain(p, b);
        tx.add(new Chain(epChain, Optional.empty(), Optional.of(p.label() + " -> " + b)));
        tx.add(Rule.of(epChain, "ip saddr " + b.ip() + " jump mark_for_masquerade"));
        tx.add(Rule.of(epChain, "meta l4proto " + p.protocol().toLowerCase(Locale.ROOT) + " dnat to " + b));
        arms.add(i + " : goto " + epChain);
      }
      tx.add(Rule.of(svcChain, "numgen random mod " + p.endpoints().size() + " vmap { " + String.join(", ", arms) + " }"));
      serviceIps.add(Element.mapping("service_ips", key, "goto " + svcChain));
    }
    List<Element> nodePorts = new ArrayList<>();
    for (ProxiedPort p : ports) {
      if (p.endpoints().isEmpty() || (p.nodePort() == 0 && p.loadBalancerIps().isEmpty())) {
        continue; // nothing to forward to: the node's own stack refuses the connection
      }
      String ext = externalChain(p);
      tx.add(new Chain(ext, Optional.empty(), Optional.of(p.label() + " from outside")));
      tx.add(Rule.of(ext, "jump mark_for_masquerade"));
      tx.add(Rule.of(ext, "goto " + serviceChain(p)));
      String proto = p.protocol().toLowerCase(Locale.ROOT);
      if (p.nodePort() != 0) {
        nodePorts.add(Element.mapping("service_nodeports", proto + " . " + p.nodePort(), "goto " + ext));
      }
      for (String lb : p.loadBalancerIps()) {
        serviceIps.add(Element.mapping("service_ips", lb + " . " + proto + " . " + p.port(), "goto " + ext));
      }
    }
    if (!nodePorts.isEmpty()) {
      tx.add(NftMap.of("service_nodeports", "inet_proto . inet_service", "verdict"));
      tx.add(Chain.regular("nodeports"));
      // after the cluster-IP lookup, as kube-proxy orders them; fib: only the node's own addresses
      tx.add(Rule.of("services", "fib daddr type local jump nodeports"));
      tx.add(Rule.of("nodeports", "meta l4proto . th dport vmap @service_nodeports"));
    }
    serviceIps.forEach(tx::add);
    noEndpoints.forEach(tx::add);
    nodePorts.forEach(tx::add);
    return tx;
  }

  /** {@code svc_HASH_ns_name_port_proto}: found again by its name, unique by its hash. */
  static String serviceChain(ProxiedPort p) {
    return name("svc_" + hash(p.label()) + "_" + p.service() + "_" + p.label().substring(p.service().length() + 1));
  }

  /** {@code ext_HASH_...}: the way in for traffic from beyond the cluster. */
  static String externalChain(ProxiedPort p) {
    return name("ext_" + hash(p.label()) + "_" + p.service() + "_" + p.label().substring(p.service().length() + 1));
  }

  static String endpointChain(ProxiedPort p, ProxiedPort.Backend b) {
    return name("ep_" + hash(p.label() + " " + b) + "_" + b.ip() + "_" + b.port());
  }

  private static String name(String raw) {
    String n = raw.replaceAll("[^A-Za-z0-9_]", "_");
    return n.length() > 63 ? n.substring(0, 63) : n;
  }

  private static String hash(String s) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 4);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JDK", e);
    }
  }
}
