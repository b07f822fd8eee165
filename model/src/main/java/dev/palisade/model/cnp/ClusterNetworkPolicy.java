package dev.palisade.model.cnp;

import dev.palisade.model.Cidr;
import dev.palisade.model.Protocol;
import io.fabric8.kubernetes.api.model.LabelSelector;
import java.util.List;
import java.util.Objects;

/**
 * A ClusterNetworkPolicy (policy.networking.k8s.io/v1alpha2) as Palisade enforces it: a
 * cluster-scoped policy in tier Admin or Baseline, judged per direction before (Admin) or after
 * (Baseline) NetworkPolicy. Read from its object by {@link ClusterNetworkPolicyReader}, which
 * refuses what Palisade cannot enforce, so a value of this type is always enforceable whole.
 * IPv4 only, as the rest of the ruleset.
 */
public record ClusterNetworkPolicy(String name, Tier tier, int priority, Selection subject,
    List<Rule> ingress, List<Rule> egress) {
  public static final String GROUP = "policy.networking.k8s.io";
  public static final String VERSION = "v1alpha2";
  public static final String API_VERSION = GROUP + "/" + VERSION;
  public static final String KIND = "ClusterNetworkPolicy";
  public static final String PLURAL = "clusternetworkpolicies";
  /** Upstream's bounds for spec.priority. */
  public static final int MAX_PRIORITY = 1000;

  public ClusterNetworkPolicy {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(tier, "tier");
    Objects.requireNonNull(subject, "subject");
    if (priority < 0 || priority > MAX_PRIORITY) {
      throw new IllegalArgumentException("priority must be 0.." + MAX_PRIORITY + ", not " + priority);
    }
    ingress = List.copyOf(ingress);
    egress = List.copyOf(egress);
  }

  public enum Tier { ADMIN, BASELINE }

  /** What a matching rule decides: Pass hands the connection to the next tier. */
  public enum Action { ACCEPT, DENY, PASS }

  /**
   * Pods by namespace labels and, when {@code pods} is not null, pod labels too ({@code pods}
   * null: every pod of the selected namespaces). Used for the subject and for pod peers.
   */
  public record Selection(LabelSelector namespaces, LabelSelector pods) {
    public Selection {
      Objects.requireNonNull(namespaces, "namespaces");
    }
  }

  /** One rule: peers OR'd; {@code ports} OR'd, empty means every protocol and port. */
  public record Rule(String name, Action action, List<Peer> peers, List<PortMatch> ports) {
    public Rule {
      Objects.requireNonNull(action, "action");
      peers = List.copyOf(peers);
      ports = List.copyOf(ports);
      if (peers.isEmpty()) {
        throw new IllegalArgumentException("a rule needs at least one peer");
      }
    }
  }

  /** One peer of a rule. */
  public sealed interface Peer {
    /** Pods the selection holds. */
    record Pods(Selection selection) implements Peer {}

    /** Addresses (egress only upstream); they match pod addresses too. */
    record Networks(List<Cidr> cidrs) implements Peer {
      public Networks {
        cidrs = List.copyOf(cidrs);
      }
    }
  }

  /** One entry of a rule's protocols. */
  public sealed interface PortMatch {
    /** Ports {@code from..to} (inclusive) of one protocol; 0..65535 is every port of it. */
    record Numbered(Protocol protocol, int from, int to) implements PortMatch {
      public Numbered {
        Objects.requireNonNull(protocol, "protocol");
        if (from < 0 || to > 65535 || from > to) {
          throw new IllegalArgumentException("port range must be within 0..65535 and start <= end: " + from + ".." + to);
        }
      }
    }

    /** A container port name, resolved on the destination pod (with that port's own protocol). */
    record Named(String name) implements PortMatch {
      public Named {
        Objects.requireNonNull(name, "name");
      }
    }
  }
}
