package dev.palisade.dataplane.dns;

import dev.palisade.dataplane.render.NodeRules;
import dev.palisade.kernel.nfqueue.PacketQueue;
import dev.palisade.kernel.nft.Nftables;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the DNS hold in step with the agent's syncs: publishes the approved names each sync
 * computed, binds the queue once the table (with its fqdn4 set) is in the kernel, and keeps the
 * NFQUEUE rule pointed at the cluster DNS the failsafe knows. Called on the sync thread; the hold
 * itself runs on the queue's thread and reads the published grants.
 *
 * <p>Failing to bind the queue or add the rule is logged and retried next sync, never thrown
 * into the sync: without the hold, answers pass unheld, so names stay closed (fail-closed) while
 * everything else is enforced as usual.
 */
public final class DnsHoldRunner implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DnsHoldRunner.class);

  private final int queueNumber;
  private final DnsHoldHook.Runner iptables;
  private final Function<PacketQueue.Handler, PacketQueue> opener;
  private final DnsHold hold;
  private volatile NameGrants grants = NameGrants.NONE;
  private PacketQueue queue;
  private List<String> hooked = List.of();

  /**
   * @param opener binds the queue in the node's network namespace (e.g. {@code h -> NfQueue.open(n, h)})
   */
  public DnsHoldRunner(Nftables nft, ResolvedNames names, int queueNumber, DnsHoldHook.Runner iptables,
      Function<PacketQueue.Handler, PacketQueue> opener) {
    this.queueNumber = queueNumber;
    this.iptables = iptables;
    this.opener = opener;
    this.hold = new DnsHold(nft, names, () -> grants, System::currentTimeMillis);
  }

  /** After a sync is in force: its grants and failsafe. */
  public synchronized void onSync(NameGrants grants, NodeRules.Failsafe failsafe) {
    NameGrants before = this.grants;
    this.grants = grants;
    // names taken away leave no addresses open until their TTL (the hold's lock orders this after
    // any answer still being judged by the old grants)
    hold.revoke(before, grants);
    try {
      if (queue == null) {
        queue = opener.apply(hold);
      }
      List<String> servers = DnsHoldHook.dnsServers(failsafe);
      if (!servers.equals(hooked)) {
        DnsHoldHook.install(iptables, queueNumber, servers);
        List<String> gone = new java.util.ArrayList<>(hooked);
        gone.removeAll(servers);
        DnsHoldHook.remove(iptables, queueNumber, gone);
        hooked = servers;
      }
    } catch (RuntimeException e) {
      LOG.error("DNS hold not in place (approved DNS names stay closed; retried next sync): {}", e.toString());
    }
  }

  public DnsHold hold() {
    return hold;
  }

  @Override
  public synchronized void close() {
    DnsHoldHook.remove(iptables, queueNumber, hooked);
    hooked = List.of();
    if (queue != null) {
      queue.close();
      queue = null;
    }
  }
}
