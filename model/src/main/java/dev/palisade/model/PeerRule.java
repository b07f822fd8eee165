package dev.palisade.model;

/** One allowed (peer, protocol, ports) for a direction of an identity. */
public record PeerRule(Peer peer, Protocol protocol, PortRange ports) {
  public PeerRule {
    if (peer == null || protocol == null || ports == null) {
      throw new IllegalArgumentException("a peer rule needs peer, protocol and ports");
    }
  }
}
