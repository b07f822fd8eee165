package dev.palisade.dataplane.render;

/**
 * One allowed (peer addresses, protocol, ports) rectangle: an element of a
 * {@code ipv4_addr . inet_proto . inet_service} interval set.
 */
public record AllowRect(Interval peers, Proto protocol, Interval ports) {
  public AllowRect {
    if (ports.to() > 65535) {
      throw new IllegalArgumentException("port interval beyond 65535: " + ports);
    }
  }

  /** Protocols NetworkPolicy and Palisade rules name; nft spells them in lower case. */
  public enum Proto {
    TCP("tcp"), UDP("udp"), SCTP("sctp");

    private final String nft;

    Proto(String nft) {
      this.nft = nft;
    }

    public String nft() {
      return nft;
    }
  }

  public String elementText() {
    return peers.ipText() + " . " + protocol.nft() + " . " + ports.portText();
  }
}
