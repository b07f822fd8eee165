package dev.palisade.controller.review;

import static dev.palisade.controller.api.StrictJson.array;
import static dev.palisade.controller.api.StrictJson.bool;
import static dev.palisade.controller.api.StrictJson.integer;
import static dev.palisade.controller.api.StrictJson.onlyFields;
import static dev.palisade.controller.api.StrictJson.string;
import static dev.palisade.controller.api.StrictJson.wrong;

import dev.palisade.controller.api.ApiException;
import dev.palisade.controller.api.StrictJson;
import dev.palisade.controller.graph.EdgeStatus;
import dev.palisade.controller.graph.FlowEdge.EdgeKey;
import dev.palisade.model.Protocol;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * A review decision, {@code POST /v1/review}: the status to give, and either the edges it is for
 * ({@code only}) or an explicit {@code "all": true}. Deciding over every edge is never what a
 * missing or misspelt field means: the reader refuses it, so a typo cannot reset the whole graph.
 *
 * <pre>
 * {"status":"approved","only":[{"from":"shop/Deployment/web","to":"shop/Deployment/api","port":8080,"protocol":"TCP"}]}
 * {"status":"approved","only":[{"from":"shop/StatefulSet/web","to":"dns:*.s3.example","port":443}]}
 * {"status":"approved","only":[{"from":"198.51.100.0/24","to":"shop/Deployment/frontend","port":8080}]}
 * {"status":"learned","all":true}
 * {"status":"approved","only":[...],"id":"ci-run-42"}     (sent again: answered from the audit log, not applied twice)
 * </pre>
 */
public record ReviewRequest(EdgeStatus status, boolean all, List<EdgeSelector> only, String id) {
  /** Edges one decision may name; the page sends what is selected, far fewer. */
  public static final int MAX_EDGES = 10_000;
  private static final Set<String> FIELDS = Set.of("status", "all", "only", RequestId.FIELD);
  static final String SHAPE = "{\"status\": approved|rejected|learned, \"only\": [{from, to, port?, protocol?}] "
      + "or \"all\": true, \"id\": optional request id}";

  public ReviewRequest {
    if (all == !only.isEmpty()) {
      throw new IllegalArgumentException("a review is over all edges or over the edges named in only, not both");
    }
    only = List.copyOf(only);
  }

  /**
   * The edges an {@code only} entry names: from, to, protocol, and port (0 when absent: every port).
   * Ends are a workload, host, unknown or an outside vertex ({@link EdgeEnds}); a name pattern or
   * a range also names the learned names and addresses it covers. The endpoint refuses a selector
   * that names no edge.
   */
  public record EdgeSelector(String from, String to, int port, Protocol protocol) {
    private static final Set<String> FIELDS = Set.of("from", "to", "port", "protocol");
    /** Longer than any vertex name (NS/KIND/NAME: 63 + 11 + 253; dns: + 253). */
    static final int MAX_NAME = 512;

    /** Whether this selector names the edge or covers it (its end is a pattern or range over the edge's). */
    public boolean matches(EdgeKey k) {
      return ports(k) && EdgeEnds.covers(from, k.source()) && EdgeEnds.covers(to, k.destination());
    }

    /**
     * The edges a decision by this selector sets, given one edge of the graph: none when it does
     * not concern the edge; the edge itself when named exactly; the edge and the selector's own
     * (pattern or range) edge when the selector covers it, so the wider rule is what compiles; and
     * only the selector's own edge when an address or range narrows the edge's {@code world} end
     * (ingress from outside is learned from world: the agent does not tell outside sources apart).
     */
    public List<EdgeKey> decides(EdgeKey k) {
      EdgeKey own = new EdgeKey(from, to, k.protocol(), k.port());
      if (matches(k)) {
        return own.equals(k) ? List.of(k) : List.of(k, own);
      }
      boolean narrows = ports(k) && ((k.source().equals("world") && EdgeEnds.isRange(from) && to.equals(k.destination()))
          || (k.destination().equals("world") && EdgeEnds.isRange(to) && from.equals(k.source())));
      return narrows ? List.of(own) : List.of();
    }

    /** Whether the selector covers the edge without naming it exactly (a widening, see {@link #decides}). */
    public boolean widens(EdgeKey k) {
      return matches(k) && !(from.equals(k.source()) && to.equals(k.destination()));
    }

    private boolean ports(EdgeKey k) {
      return (port == 0 || k.port() == port) && k.protocol() == protocol;
    }

    /** As the page, the CLI and the audit log name an edge: SRC -> DST PORT/PROTO (PORT * for any). */
    public String text() {
      return from + " -> " + to + " " + (port == 0 ? "*" : String.valueOf(port)) + "/" + protocol;
    }

    static EdgeSelector read(JsonNode o, String at) {
      onlyFields(o, at, FIELDS);
      String from = vertex(o, at, "from");
      String to = vertex(o, at, "to");
      if (from.startsWith("dns:")) {
        throw ApiException.badRequest(at + "from: a DNS name is a destination only (the pod resolves it), not "
            + from);
      }
      if (EdgeEnds.outside(from).isPresent() && EdgeEnds.outside(to).isPresent()) {
        throw ApiException.badRequest(at + "to: an edge from outside goes to a workload, not to " + to);
      }
      return new EdgeSelector(from, to, (int) integer(o, at, "port", false, 1, 65535, 0), protocol(o, at));
    }

    private static String vertex(JsonNode o, String at, String field) {
      String v = string(o, at, field, true);
      if (v.isBlank() || v.length() > MAX_NAME || !v.strip().equals(v)) {
        throw wrong(at, field, "a vertex name (NS/KIND/NAME) of 1.." + MAX_NAME + " characters", o.get(field));
      }
      try {
        return EdgeEnds.check(v);
      } catch (IllegalArgumentException e) {
        throw ApiException.badRequest(at + field + ": " + e.getMessage());
      }
    }

    private static Protocol protocol(JsonNode o, String at) {
      String p = string(o, at, "protocol", false);
      if (p == null) {
        return Protocol.TCP;
      }
      for (Protocol known : Protocol.values()) {
        if (known.name().equals(p.toUpperCase(Locale.ROOT))) {
          return known;
        }
      }
      throw wrong(at, "protocol", "TCP, UDP or SCTP", o.get("protocol"));
    }
  }

  /** @throws ApiException 400 naming the first field that is wrong */
  public static ReviewRequest read(byte[] body) {
    JsonNode root = StrictJson.object(body, SHAPE);
    onlyFields(root, "", FIELDS);
    EdgeStatus status = status(root);
    Boolean all = bool(root, "", "all", false);
    JsonNode only = array(root, "", "only", false, MAX_EDGES);
    if (all != null && !all) {
      throw ApiException.badRequest("all: must be true or left out (name the edges in only), not false");
    }
    if (all != null && only != null) {
      throw ApiException.badRequest("all and only: give one, not both (all: true decides every edge)");
    }
    if (all == null && (only == null || only.isEmpty())) {
      throw ApiException.badRequest("only: required, must name at least one edge {from, to, port, protocol}; "
          + "a decision over every edge needs \"all\": true");
    }
    List<EdgeSelector> selectors = new ArrayList<>();
    if (only != null) {
      for (int i = 0; i < only.size(); i++) {
        JsonNode o = only.get(i);
        if (!o.isObject()) {
          throw wrong("", "only[" + i + "]", "an object {from, to, port, protocol}", o);
        }
        selectors.add(EdgeSelector.read(o, "only[" + i + "]."));
      }
    }
    return new ReviewRequest(status, all != null, selectors, RequestId.read(root));
  }

  private static EdgeStatus status(JsonNode root) {
    String s = string(root, "", "status", true);
    return switch (s) {
      case "approved" -> EdgeStatus.APPROVED;
      case "rejected" -> EdgeStatus.REJECTED;
      case "learned" -> EdgeStatus.LEARNED;
      default -> throw wrong("", "status", "approved, rejected or learned", root.get("status"));
    };
  }
}
