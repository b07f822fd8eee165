package dev.palisade.lab.ci;

import dev.palisade.model.Protocol;
import java.util.Comparator;

/**
 * An edge as {@code palisade ci} judges it: client to server (the flow graph's vertex names: a
 * workload NS/KIND/NAME, or an outside end such as {@code dns:NAME}, a CIDR or {@code world}) on a
 * port and protocol. The same key for observed traffic and for the baseline's approved and
 * rejected edges.
 */
public record CiEdge(String from, String to, int port, Protocol protocol) implements Comparable<CiEdge> {
  private static final Comparator<CiEdge> ORDER = Comparator.comparing(CiEdge::from).thenComparing(CiEdge::to)
      .thenComparingInt(CiEdge::port).thenComparing(CiEdge::protocol);

  public CiEdge {
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port must be 1..65535, not " + port);
    }
  }

  /** The namespace of the server end (its owners decide who may call it), or the workload's when the server is outside. */
  public String approverNamespace() {
    return dev.palisade.controller.approved.ApprovedEdges.approverNamespace(from, to);
  }

  /** {@code from -> to port/PROTO}, the form the report, JUnit and logs use. */
  public String text() {
    return from + " -> " + to + " " + port + "/" + protocol;
  }

  @Override
  public int compareTo(CiEdge o) {
    return ORDER.compare(this, o);
  }
}
