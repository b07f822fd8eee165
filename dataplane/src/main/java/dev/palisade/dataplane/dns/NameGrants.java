package dev.palisade.dataplane.dns;

import dev.palisade.model.IdentityPolicy;
import dev.palisade.model.Mode;
import dev.palisade.model.NamePatterns;
import dev.palisade.model.Peer;
import dev.palisade.model.PeerRule;
import dev.palisade.model.PortRange;
import dev.palisade.model.Protocol;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Pure: which DNS names each local pod may reach, from its identity's approved egress rules with
 * a name peer. Only pods whose egress Palisade checks (monitor, enforce) are here: a learning
 * pod is open anyway and its answers need no kernel work. The agent publishes a new instance
 * after each sync; the DNS hold reads whichever is current.
 */
public final class NameGrants {
  public static final NameGrants NONE = new NameGrants(Map.of());

  /** One approved (name pattern, protocol, ports) of a pod. */
  public record NameRule(String pattern, Protocol protocol, PortRange ports) {
    public boolean matches(String name) {
      return NamePatterns.matches(pattern, name);
    }
  }

  private final Map<String, List<NameRule>> byPod;

  private NameGrants(Map<String, List<NameRule>> byPod) {
    this.byPod = byPod;
  }

  /** Directly from pod address -> rules (tests, the benchmark). */
  public static NameGrants of(Map<String, List<NameRule>> byPod) {
    Map<String, List<NameRule>> copy = new HashMap<>();
    byPod.forEach((pod, rules) -> copy.put(pod, List.copyOf(rules)));
    return new NameGrants(Map.copyOf(copy));
  }

  /**
   * @param localPods pod IP -> identity of this node's pods
   * @param policies compiled policy per identity (a pod without one has no names)
   */
  public static NameGrants of(Map<String, Long> localPods, Map<Long, IdentityPolicy> policies) {
    Map<Long, List<NameRule>> byIdentity = new HashMap<>();
    policies.forEach((id, p) -> {
      if (p.mode() == Mode.LEARN) {
        return;
      }
      List<NameRule> rules = new ArrayList<>();
      for (PeerRule r : p.egress()) {
        if (r.peer() instanceof Peer.OfName n) {
          rules.add(new NameRule(n.pattern(), r.protocol(), r.ports()));
        }
      }
      if (!rules.isEmpty()) {
        byIdentity.put(id, List.copyOf(rules));
      }
    });
    Map<String, List<NameRule>> byPod = new HashMap<>();
    localPods.forEach((ip, id) -> {
      List<NameRule> rules = byIdentity.get(id);
      if (rules != null) {
        byPod.put(ip, rules);
      }
    });
    return new NameGrants(Map.copyOf(byPod));
  }

  /** The pods (addresses) with at least one approved name. */
  public java.util.Set<String> pods() {
    return byPod.keySet();
  }

  public List<NameRule> rulesFor(String pod) {
    return byPod.getOrDefault(pod, List.of());
  }

  /**
   * The fqdn4 set as these grants make it from what pods resolved ({@code names}, not expired at
   * {@code nowMillis}): what {@link dev.palisade.dataplane.render.ConnectionVerdict} needs to judge
   * a pod's connection to an address it resolved an approved name to.
   */
  public dev.palisade.dataplane.render.ConnectionVerdict.Names resolvedBy(ResolvedNames names, long nowMillis) {
    return (pod, remote, proto, port) -> {
      if (rulesFor(pod).isEmpty()) {
        return false;
      }
      Protocol p = Protocol.valueOf(proto.name());
      return names.namesFor(pod, remote, nowMillis).stream().anyMatch(n -> grants(pod, n, p, port));
    };
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NameGrants g && g.byPod.equals(byPod);
  }

  @Override
  public int hashCode() {
    return byPod.hashCode();
  }

  /** Whether {@code pod} may reach what {@code name} resolved to on {@code protocol}/{@code port}. */
  public boolean grants(String pod, String name, Protocol protocol, int port) {
    for (NameRule r : rulesFor(pod)) {
      if (r.protocol() == protocol && r.ports().contains(port) && r.matches(name)) {
        return true;
      }
    }
    return false;
  }
}
