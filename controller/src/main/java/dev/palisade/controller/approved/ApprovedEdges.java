package dev.palisade.controller.approved;

import dev.palisade.controller.graph.FlowEdge.EdgeKey;
import dev.palisade.controller.graph.OutsideVertex;
import dev.palisade.model.Protocol;
import dev.palisade.model.WorkloadRef;
import dev.palisade.model.crd.ApprovedGraphSpec;

/**
 * Reads an ApprovedGraph edge into the flow graph's edge key, strictly. Pure. The one place that
 * decides what an edge in git may say, so the controller's index, {@code palisade ci}'s baseline
 * reader and its patch writer agree: each end is a workload {@code NS/KIND/NAME} or an outside
 * vertex spelt as the graph spells it ({@link OutsideVertex}: {@code world}, {@code dns:NAME},
 * {@code dns:*.SUFFIX}, an address, a CIDR without host bits); at least one end is a workload
 * (an edge between two outside ends is enforced nowhere); a name is a destination only (the
 * agent knows what a name resolved to for its own pods, not who connects from one).
 */
public final class ApprovedEdges {
  private ApprovedEdges() {}

  /** What is wrong with one field of an edge: the field ({@code from}, {@code to}, {@code port}) and why. */
  public static final class BadEdge extends IllegalArgumentException {
    private final String field;

    BadEdge(String field, String message) {
      super(message);
      this.field = field;
    }

    /** The edge's field at fault: from, to, port or protocol. */
    public String field() {
      return field;
    }
  }

  /**
   * The edge as the graph keys it.
   *
   * @throws BadEdge naming the field and what is wrong with it
   */
  public static EdgeKey key(ApprovedGraphSpec.Edge e) {
    return key(e.from, e.to, e.port, e.protocol);
  }

  /** As {@link #key(ApprovedGraphSpec.Edge)}, from the edge's fields. */
  public static EdgeKey key(String from, String to, Integer port, String protocol) {
    String src = end("from", from);
    String dst = end("to", to);
    if (!isWorkload(src) && !isWorkload(dst)) {
      throw new BadEdge("to", "'" + from + "' -> '" + to + "': one end must be a workload NS/KIND/NAME (an edge"
          + " between two outside ends is enforced nowhere)");
    }
    if (src.startsWith("dns:")) {
      throw new BadEdge("from", "'" + from + "': a DNS name can only be a destination (pods resolve names; a"
          + " connection from outside is judged by its address: use world or a CIDR)");
    }
    if (port == null || port < 1 || port > 65535) {
      throw new BadEdge("port", "must be 1..65535, not " + (port == null ? "missing" : port));
    }
    Protocol p;
    try {
      p = Protocol.parse(protocol);
    } catch (IllegalArgumentException ex) {
      throw new BadEdge("protocol", ex.getMessage());
    }
    return new EdgeKey(src, dst, p, port);
  }

  /**
   * One end as the graph spells it (a CIDR of one address is written bare, as the graph does).
   *
   * @throws BadEdge naming {@code field} and what is wrong with the end
   */
  public static String end(String field, String text) {
    if (text == null || text.isEmpty()) {
      throw new BadEdge(field, "missing (a workload NS/KIND/NAME, world, dns:NAME, dns:*.SUFFIX or a CIDR)");
    }
    if (!text.equals(OutsideVertex.WORLD_TEXT) && !text.startsWith("dns:") && !text.matches("[0-9./]+")) {
      try {
        return WorkloadRef.parse(text).toString();
      } catch (IllegalArgumentException e) {
        throw new BadEdge(field, e.getMessage());
      }
    }
    try {
      return OutsideVertex.parse(text).text();
    } catch (IllegalArgumentException e) {
      throw new BadEdge(field, e.getMessage() + " (an end is a workload NS/KIND/NAME, world, dns:NAME,"
          + " dns:*.SUFFIX, an IPv4 address or a CIDR)");
    }
  }

  /** Whether a graph vertex name (as {@link #end} returns) is a workload. */
  public static boolean isWorkload(String vertex) {
    return vertex.indexOf('/') != vertex.lastIndexOf('/');
  }

  /** The namespace whose owners approve the edge: the server's, or the workload's when the server is outside. */
  public static String approverNamespace(String from, String to) {
    return (isWorkload(to) ? to : from).split("/")[0];
  }
}
