package dev.palisade.controller.review;

import dev.palisade.controller.graph.OutsideVertex;
import java.util.Optional;
import java.util.Set;

/**
 * The ends a review selector may name, and which graph vertices each one covers. Pure. A
 * selector end is a workload ({@code NS/KIND/NAME}), {@code host}, {@code unknown}, or an
 * outside vertex ({@link OutsideVertex}). Workloads and entities name one vertex; an outside
 * end that is a pattern ({@code dns:*.s3.example}) or a range ({@code 203.0.113.0/24}) also
 * covers the learned names and addresses inside it, which is how an approver widens a learned
 * name or address to a rule of their own.
 */
final class EdgeEnds {
  private static final Set<String> ENTITIES = Set.of("host", "unknown");

  private EdgeEnds() {}

  /**
   * The end as the graph spells it.
   *
   * @throws IllegalArgumentException saying what is wrong with it
   */
  static String check(String end) {
    String[] p = end.split("/", -1);
    if (p.length == 3) {
      for (String part : p) {
        if (part.isEmpty() || !part.matches("[-A-Za-z0-9._]+")) {
          throw new IllegalArgumentException("'" + end + "' is not a workload NS/KIND/NAME");
        }
      }
      return end;
    }
    if (ENTITIES.contains(end)) {
      return end;
    }
    try {
      return OutsideVertex.parse(end).text();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(e.getMessage() + " (an end is a workload NS/KIND/NAME, world, host, unknown,"
          + " dns:NAME, dns:*.SUFFIX, an IPv4 address or a CIDR)");
    }
  }

  /** The end's outside vertex, if it is one; cheap for workload names, which selectors mostly hold. */
  static Optional<OutsideVertex> outside(String end) {
    return end.indexOf('/') != end.lastIndexOf('/') ? Optional.empty() : OutsideVertex.of(end);
  }

  /** Whether a selector end names or covers this graph vertex. */
  static boolean covers(String end, String vertex) {
    if (end.equals(vertex)) {
      return true;
    }
    if (!widens(end)) {
      return false;
    }
    Optional<OutsideVertex> sel = outside(end);
    Optional<OutsideVertex> v = outside(vertex);
    return sel.isPresent() && v.isPresent() && sel.get().covers(v.get());
  }

  /** Whether the end stands for more than one vertex: a name pattern or a range wider than an address. */
  static boolean widens(String end) {
    return end.startsWith("dns:*.") || (end.indexOf('/') > 0 && end.indexOf('/') == end.lastIndexOf('/'));
  }

  /** Whether the end is an address or range, which may narrow an edge's {@code world} end. */
  static boolean isRange(String end) {
    return outside(end).filter(o -> o instanceof OutsideVertex.Range).isPresent();
  }
}
