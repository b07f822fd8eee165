package dev.palisade.dataplane.dns;

import dev.palisade.dataplane.render.AllowRect;
import dev.palisade.dataplane.render.NodeRules;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/**
 * Where DNS answers get queued to the hold. The rule belongs in Palisade's own table
 * ({@code udp sport 53 ip saddr @dns queue num N bypass}), but kernels built without
 * CONFIG_NFT_QUEUE (this project's machines) refuse nft's queue expression; they do have the xt
 * NFQUEUE target, which iptables-nft writes for us into {@code table ip mangle}. Its FORWARD
 * chain (priority mangle, -150) runs before Palisade's filter chain, so answers are held before
 * anything accepts them as an established flow.
 *
 * <p>Only answers from the cluster DNS (the failsafe's UDP/53 addresses: the Service's ClusterIP
 * and the DNS pods, as the forward hook sees them) are queued: a pod sending "answers" from port
 * 53 to a neighbour must not be able to open that neighbour's approved names to addresses it
 * picks. {@code --queue-bypass}: with no agent bound to the queue, answers pass unheld. That is
 * fail-closed here: the answer arrives but no set element appears, so the connection stays
 * closed; DNS itself is never cut.
 */
public final class DnsHoldHook {
  public static final String COMMENT = "palisade-dns-hold";
  public static final String IPTABLES = "iptables-nft";
  /** The agent's queue number (any unused 0..65535; "4022" for issue 22). */
  public static final int DEFAULT_QUEUE = 4022;

  /** Runs one iptables invocation; true if it exited 0. */
  @FunctionalInterface
  public interface Runner {
    boolean run(List<String> argv);
  }

  private DnsHoldHook() {}

  /** The cluster DNS addresses answers come from: the failsafe's single UDP/53 destinations. */
  public static List<String> dnsServers(NodeRules.Failsafe failsafe) {
    TreeSet<String> out = new TreeSet<>();
    for (AllowRect r : failsafe.destinations()) {
      if (r.protocol() == AllowRect.Proto.UDP && r.ports().contains(53) && r.peers().single()) {
        out.add(r.peers().ipText());
      }
    }
    return List.copyOf(out);
  }

  /** Pure: the rule for one DNS server, as iptables arguments after {@code -A}/{@code -C}/{@code -D FORWARD}. */
  public static List<String> rule(int queue, String dnsServer) {
    return List.of("-s", dnsServer, "-p", "udp", "--sport", "53", "-m", "comment", "--comment", COMMENT,
        "-j", "NFQUEUE", "--queue-num", Integer.toString(queue), "--queue-bypass");
  }

  /** Adds the rule for each server unless it is there already (idempotent). */
  public static void install(Runner iptables, int queue, Collection<String> dnsServers) {
    for (String s : dnsServers) {
      if (!iptables.run(command("-C", queue, s)) && !iptables.run(command("-A", queue, s))) {
        throw new IllegalStateException("cannot add the DNS hold's NFQUEUE rule: " + String.join(" ",
            command("-A", queue, s)));
      }
    }
  }

  /** Removes the rule for each server (all copies). */
  public static void remove(Runner iptables, int queue, Collection<String> dnsServers) {
    for (String s : dnsServers) {
      for (int i = 0; i < 16 && iptables.run(command("-D", queue, s)); i++) {
        // a copy removed; try again in case it was added twice
      }
    }
  }

  static List<String> command(String verb, int queue, String dnsServer) {
    List<String> argv = new ArrayList<>(List.of(IPTABLES, "-w", "-t", "mangle", verb, "FORWARD"));
    argv.addAll(rule(queue, dnsServer));
    return argv;
  }
}
