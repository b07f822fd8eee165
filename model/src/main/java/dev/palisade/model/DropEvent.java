package dev.palisade.model;

/**
 * A connection the dataplane refused (kind {@code enforce} or {@code np}) or would refuse in
 * monitor mode ({@code monitor}), with both ends resolved to identities where known.
 *
 * @param outside for a drop to or from {@link Identities#WORLD}: what is known of the far end, as
 *     in {@link FlowKey#outside()} ({@code dns:NAME} the pod resolved to the address, else the
 *     address); null otherwise
 */
public record DropEvent(String kind, String direction, long source, long destination, Protocol protocol, int port,
    long atMillis, String sourcePod, String destinationPod, String outside) {
  public DropEvent {
    if (outside != null) {
      if (source != Identities.WORLD && destination != Identities.WORLD) {
        throw new IllegalArgumentException("drop outside '" + outside + "' is only for drops to or from the world");
      }
      outside = FlowKey.checkOutside(outside);
    }
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

  /** A drop with nothing known of an outside end. */
  public DropEvent(String kind, String direction, long source, long destination, Protocol protocol, int port,
      long atMillis, String sourcePod, String destinationPod) {
    this(kind, direction, source, destination, protocol, port, atMillis, sourcePod, destinationPod, null);
  }

  public boolean wouldDrop() {
    return kind.equals("monitor");
  }
}
