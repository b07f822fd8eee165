package dev.palisade.model;

import java.util.List;

/**
 * The compiled allow-list for one identity: its mode and who may connect to it (ingress) and to
 * whom it may connect (egress), from approved edges. Both ends must allow a connection.
 */
public record IdentityPolicy(long identity, Mode mode, List<PeerRule> ingress, List<PeerRule> egress) {
  public IdentityPolicy {
    ingress = List.copyOf(ingress);
    egress = List.copyOf(egress);
  }
}
