package dev.palisade.dataplane.netpol;

import dev.palisade.dataplane.render.AllowRect.Proto;
import dev.palisade.dataplane.render.Interval;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A NetworkPolicy that passed validation, with its selectors compiled and its ipBlocks turned
 * into address ranges; not yet resolved against pods (that is {@link NetworkPolicyCompiler}'s job,
 * since it changes with every pod and namespace event while this form changes only with the policy).
 */
record CompiledPolicy(
    String namespace, String name, Predicate<Map<String, String>> podSelector,
    boolean isolatesIngress, boolean isolatesEgress, List<Rule> ingress, List<Rule> egress) {

  String ref() {
    return namespace + "/" + name;
  }

  /**
   * One ingress or egress rule. An empty {@code peers} list means every address (from/to absent
   * or empty); an empty {@code ports} list means every protocol and port.
   */
  record Rule(List<Peer> peers, List<PortMatch> ports) {}

  /** One element of from/to; the list is OR'd. */
  sealed interface Peer {
    /**
     * Pods: {@code namespaces} null means the policy's own namespace (podSelector-only peer);
     * {@code pods} null means every pod of the selected namespaces (namespaceSelector-only peer).
     */
    record Pods(Predicate<Map<String, String>> namespaces, Predicate<Map<String, String>> pods) implements Peer {}

    /** ipBlock: its IPv4 ranges, cidr minus its own except list (empty for an IPv6 block). */
    record Block(List<Interval> ranges) implements Peer {}
  }

  /** One element of ports; the list is OR'd. */
  sealed interface PortMatch {
    /** A number, a number..endPort, or (port absent) every port of the protocol. */
    record Numbered(Proto protocol, Interval ports) implements PortMatch {}

    /** A container port name, resolved on the destination pod together with the protocol. */
    record Named(Proto protocol, String name) implements PortMatch {}
  }
}
