package dev.palisade.controller.graph;

import dev.palisade.model.Cidr;
import dev.palisade.model.NamePatterns;
import dev.palisade.model.Peer;
import java.util.List;
import java.util.Optional;

/**
 * A vertex of the flow graph beyond the cluster edge, read from its name. One place decides what
 * such a name means, so ingest, review, compile and export agree:
 *
 * <ul>
 *   <li>{@code world}: any outside address (no name, no address known, or summarized away);
 *   <li>{@code dns:NAME}: what NAME resolved to for the source pod; {@code dns:*.SUFFIX}, a
 *       pattern an approver widened names to ({@link NamePatterns});
 *   <li>{@code 203.0.113.7}: one IPv4 address no pod resolved; {@code 203.0.113.0/24}: a range,
 *       from summarizing many addresses or from an approver.
 * </ul>
 *
 * Names are strict (no host bits in a CIDR, lower-case DNS names) so one vertex has one spelling.
 */
public sealed interface OutsideVertex {
  String WORLD_TEXT = "world";
  Cidr EVERYWHERE = new Cidr(0, 0);

  /** The vertex's name in the graph. */
  String text();

  /**
   * Whether every connection {@code other} stands for is one this vertex stands for (a pattern
   * covers the names it matches, a range the addresses and ranges inside it; each covers itself):
   * what an approver widening a name or an address to this vertex also decides. {@code world}
   * covers only itself: approving it is a decision about the world edges, not every outside edge.
   */
  boolean covers(OutsideVertex other);

  /** What the allow-list says for this end: a name (egress only) or a CIDR. */
  Peer peer();

  /** Anything outside. */
  record World() implements OutsideVertex {
    @Override
    public String text() {
      return WORLD_TEXT;
    }

    @Override
    public boolean covers(OutsideVertex other) {
      return other instanceof World;
    }

    @Override
    public Peer peer() {
      return new Peer.OfCidr(EVERYWHERE, List.of());
    }
  }

  /** A DNS name or {@code *.SUFFIX} pattern (normalized). */
  record Name(String pattern) implements OutsideVertex {
    public Name {
      pattern = NamePatterns.checkPattern(pattern);
    }

    public boolean isPattern() {
      return pattern.startsWith("*.");
    }

    @Override
    public String text() {
      return "dns:" + pattern;
    }

    @Override
    public boolean covers(OutsideVertex other) {
      if (!(other instanceof Name n)) {
        return false;
      }
      if (n.isPattern()) {
        // a pattern covers a narrower pattern: *.s3.example covers *.eu.s3.example, and itself
        return n.pattern.equals(pattern) || (isPattern() && NamePatterns.matches(pattern, n.pattern.substring(2)));
      }
      return NamePatterns.matches(pattern, n.pattern);
    }

    @Override
    public Peer peer() {
      return new Peer.OfName(pattern);
    }
  }

  /** An IPv4 address (prefix 32, written bare) or range. */
  record Range(Cidr cidr) implements OutsideVertex {
    @Override
    public String text() {
      return cidr.prefix() == 32 ? Cidr.ipText(cidr.address()) : cidr.toString();
    }

    @Override
    public boolean covers(OutsideVertex other) {
      return other instanceof Range r && r.cidr.prefix() >= cidr.prefix() && cidr.contains(r.cidr.address());
    }

    @Override
    public Peer peer() {
      return new Peer.OfCidr(cidr, List.of());
    }
  }

  /** The outside vertex this graph vertex name is, or empty for workloads and the other entities (host, unknown). */
  static Optional<OutsideVertex> of(String vertex) {
    try {
      return Optional.of(parse(vertex));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** Whether the vertex name is an outside one (see {@link #of}). */
  static boolean isOutside(String vertex) {
    return of(vertex).isPresent();
  }

  /**
   * Reads a vertex name strictly.
   *
   * @throws IllegalArgumentException naming what is wrong, e.g. a CIDR with host bits set
   */
  static OutsideVertex parse(String text) {
    if (text == null || text.isEmpty()) {
      throw new IllegalArgumentException("an outside end is empty");
    }
    if (text.equals(WORLD_TEXT)) {
      return new World();
    }
    if (text.startsWith("dns:")) {
      Name n = new Name(text.substring(4));
      if (!n.text().equals(text)) {
        throw new IllegalArgumentException("'" + text + "': write the name as " + n.text()
            + " (lower case, no trailing dot)");
      }
      return n;
    }
    if (!text.matches("[0-9./]+")) {
      throw new IllegalArgumentException("'" + text + "' is neither world, dns:NAME, dns:*.SUFFIX, an IPv4 address"
          + " nor a CIDR");
    }
    Cidr c = Cidr.parse(text);
    if (c.prefix() == 0) {
      throw new IllegalArgumentException("'" + text + "': write world for every outside address");
    }
    String exact = c.prefix() == 32 ? Cidr.ipText(c.address()) : c.toString();
    if (!text.equals(exact) && !text.equals(c.toString())) {
      throw new IllegalArgumentException("'" + text + "' has host bits set; the network is " + c);
    }
    return new Range(c);
  }
}
