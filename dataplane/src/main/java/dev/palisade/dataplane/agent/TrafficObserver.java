package dev.palisade.dataplane.agent;

import dev.palisade.dataplane.flow.FlowAggregator;
import dev.palisade.dataplane.flow.IpHistory;
import dev.palisade.kernel.conntrack.ConntrackEvent;
import dev.palisade.kernel.nflog.NflogEvent;
import dev.palisade.model.DropEvent;
import dev.palisade.model.FlowRecord;
import dev.palisade.model.Identities;
import dev.palisade.model.PortRange;
import dev.palisade.model.Protocol;
import dev.palisade.model.json.DropReportJson;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the node's traffic tells: new connections (conntrack) become flow records between
 * identities, packets the rules logged (NFLOG) become drop and would-drop events. Both are
 * attributed through the IP history, so an address reused by another pod a moment later is not
 * blamed for the first one's traffic. Callbacks come on the conntrack and NFLOG threads; the
 * queues are drained by {@link ControllerReporter} on its own.
 */
final class TrafficObserver implements NodeRulesCalculator.Tenancies {
  private final IpHistory history = new IpHistory(Duration.ofMinutes(10).toMillis());
  private final FlowAggregator flows = new FlowAggregator();
  private final List<DropEvent> drops = new ArrayList<>();
  private final AtomicLong dropsOverflow = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong wouldDropped = new AtomicLong();
  private final AtomicLong connections = new AtomicLong();
  private final AtomicLong closedV6Drops = new AtomicLong();
  private volatile Map<String, Long> localIdentity = Map.of();
  private volatile PortRange ignoredSourcePorts;
  /** What local pods resolved (the DNS hold writes it); null: world flows carry their address only. */
  private volatile dev.palisade.dataplane.dns.ResolvedNames resolvedNames;
  private final AgentMetrics metrics;

  TrafficObserver(AgentMetrics metrics) {
    this.metrics = metrics;
  }

  /** The sync thread: a pod holds an address from now on. */
  @Override
  public void assign(String ip, String pod, long identity) {
    synchronized (history) {
      history.assign(ip, pod, identity, System.currentTimeMillis());
    }
  }

  /** The local pods' addresses as the rules in force know them: their node reports their flows. */
  void localPods(Map<String, Long> localIdentity) {
    this.localIdentity = localIdentity;
  }

  /** Names local pods resolved, so flows to the world can say which name they went to. */
  void resolvedNames(dev.palisade.dataplane.dns.ResolvedNames names) {
    this.resolvedNames = names;
  }

  /**
   * What a flow from {@code src} to the world address {@code dst} is about: {@code dns:NAME} for
   * each name the pod resolved to that address (review approves names, not addresses that change),
   * else the address itself.
   */
  static List<String> outside(dev.palisade.dataplane.dns.ResolvedNames names, String src, String dst, long at) {
    if (names != null) {
      java.util.SortedSet<String> resolved = names.namesFor(src, dst, at);
      if (!resolved.isEmpty()) {
        return resolved.stream().map(n -> "dns:" + n).toList();
      }
    }
    return List.of(dst);
  }

  /** Connections from these source ports are not learned (Palisade's own probes). */
  void ignoreSourcePorts(PortRange ports) {
    this.ignoredSourcePorts = ports;
  }

  private Optional<IpHistory.Tenancy> at(String ip, long t) {
    synchronized (history) {
      return history.at(ip, t);
    }
  }

  /**
   * A new connection. A DNAT'd connection (a Service's virtual IP) is about the endpoint that
   * answered, the reply tuple's source; it is reported by the source pod's node only, so a
   * cross-node connection counts once.
   */
  void onConnection(ConntrackEvent e) {
    metrics.onConntrackEvent(e.type().name().toLowerCase(java.util.Locale.ROOT));
    if (e.type() != ConntrackEvent.Type.NEW) {
      return;
    }
    Protocol protocol;
    try {
      protocol = Protocol.ofNumber(e.protocol());
    } catch (IllegalArgumentException ex) {
      return; // ICMP and others: not part of the service graph
    }
    String dstIp = e.server();
    int dstPort = e.serverPort();
    PortRange ignored = ignoredSourcePorts;
    if (dstPort < 1 || (ignored != null && ignored.contains(e.srcPort()))) {
      return;
    }
    long at = e.timestamp().toEpochMilli();
    var src = at(e.src(), at);
    Map<String, Long> local = localIdentity;
    boolean srcLocal = src.isPresent() && local.containsKey(e.src());
    var dst = at(dstIp, at);
    boolean dstLocal = dst.isPresent() && local.containsKey(dstIp);
    if (!srcLocal && !(src.isEmpty() && dstLocal)) {
      return; // the source pod's node reports it
    }
    connections.incrementAndGet();
    if (srcLocal && dst.isEmpty()) {
      // one record per name the pod resolved to this address: each is its own edge to review
      for (String outside : outside(resolvedNames, e.src(), dstIp, at)) {
        flows.add(src.get().identity(), src.get().pod(), Identities.WORLD, null, protocol, dstPort, outside, at);
      }
      return;
    }
    flows.add(src.map(IpHistory.Tenancy::identity).orElse(Identities.WORLD), src.map(IpHistory.Tenancy::pod).orElse(null),
        dst.map(IpHistory.Tenancy::identity).orElse(Identities.WORLD), dst.map(IpHistory.Tenancy::pod).orElse(null),
        protocol, dstPort, at);
  }

  /** A packet the ruleset logged: prefix {@code pal:KIND:DIR:GROUP} (drop group 100, would-drop 101). */
  void onLog(NflogEvent ev) {
    String[] p = ev.prefix().split(":");
    if (p.length != 4 || !p[0].equals("pal")) {
      return;
    }
    if (p[1].equals("v6")) {
      closedV6Drops.incrementAndGet(); // IPv6 to or from a restricted pod: dropped whole, not attributed
      metrics.onDrop("v6", false);
      return;
    }
    Protocol protocol;
    try {
      protocol = Protocol.ofNumber(ev.protocol());
    } catch (IllegalArgumentException e) {
      return;
    }
    long now = ev.timestampMillis();
    var src = at(ev.src(), now);
    var dst = at(ev.dst(), now);
    // the far end outside the cluster, named as review names it: the name the pod resolved, else the address
    String outside = null;
    if (src.isPresent() && dst.isEmpty()) {
      outside = outside(resolvedNames, ev.src(), ev.dst(), now).get(0);
    } else if (src.isEmpty() && dst.isPresent()) {
      outside = ev.src();
    }
    DropEvent d;
    try {
      d = new DropEvent(p[1], p[2], src.map(IpHistory.Tenancy::identity).orElse(Identities.WORLD),
          dst.map(IpHistory.Tenancy::identity).orElse(Identities.WORLD), protocol, ev.dstPort(), now,
          src.map(IpHistory.Tenancy::pod).orElse(null), dst.map(IpHistory.Tenancy::pod).orElse(null), outside);
    } catch (IllegalArgumentException e) {
      return; // an address the model refuses (never expected from the kernel): not reported rather than misreported
    }
    synchronized (drops) {
      if (drops.size() < DropReportJson.MAX_EVENTS) {
        drops.add(d);
      } else {
        dropsOverflow.incrementAndGet();
      }
    }
    (d.wouldDrop() ? wouldDropped : dropped).incrementAndGet();
    metrics.onDrop(p[1], d.wouldDrop());
  }

  List<FlowRecord> drainFlows() {
    return flows.drain();
  }

  List<DropEvent> drainDrops() {
    synchronized (drops) {
      List<DropEvent> out = new ArrayList<>(drops);
      drops.clear();
      return out;
    }
  }

  long connectionsSeen() {
    return connections.get();
  }

  long dropsLogged() {
    return dropped.get();
  }

  long wouldDropsLogged() {
    return wouldDropped.get();
  }

  /** IPv6 packets of restricted pods dropped (IPv6 is closed for them, not judged). */
  long closedV6Drops() {
    return closedV6Drops.get();
  }

  /** Drop events not queued because the queue was full. */
  long dropsOverflowed() {
    return dropsOverflow.get();
  }
}
