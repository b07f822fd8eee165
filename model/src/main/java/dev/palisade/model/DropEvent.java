package dev.palisade.model;

/**
 * A connection the dataplane refused (kind {@code enforce} or {@code np}) or would refuse in
 * monitor mode ({@code monitor}), with both ends resolved to identities where known.
 */
public record DropEvent(String kind, String direction, long source, long destination, Protocol protocol, int port,
    long atMillis, String sourcePod, String destinationPod) {
  public DropEvent {
    if (!kind.equals("enforce") && !kind.equals("np") && !kind.equals("monitor")) {
      throw new IllegalArgumentException("drop kind must be enforce, np or monitor, not '" + kind + "'");
    }
    if (!direction.equals("in") && !direction.equals("out")) {
      throw new IllegalArgumentException("drop direction must be in or out, not '" + direction + "'");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("drop port must be 0..65535, not " + port);
    }
  }

  public boolean wouldDrop() {
    return kind.equals("monitor");
  }
}
