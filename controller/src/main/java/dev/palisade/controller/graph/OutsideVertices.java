package dev.palisade.controller.graph;

import dev.palisade.model.Cidr;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Names the outside end of a flow to the world ({@link OutsideVertex}), bounding how many outside
 * vertices one source workload can make, so a scan (or a pod resolving random names) cannot blow
 * the graph up:
 *
 * <pre>
 *  dns:NAME (the pod resolved NAME) ......... dns:NAME, for the first {@link #NAMES_PER_SOURCE} names, then world
 *  an address in a /24 the source already has .. the address, for the first {@link #ADDRESSES_PER_BLOCK};
 *                                                 the rest of that /24: the /24 vertex
 *  an address in a new /24 ...................... as above while the source has fewer than
 *                                                 {@link #BLOCKS_PER_SOURCE} /24s; then its /16, while it
 *                                                 has fewer than {@link #WIDE_BLOCKS_PER_SOURCE} /16s; then world
 *  no outside text, an IPv6 address ............ world (Cidr is IPv4 only)
 * </pre>
 *
 * Addresses that already have a vertex keep it (so decisions on them hold); summarizing only names
 * new ones. Per source at most 16 x (8 + 1) + 16 + 1 = 161 address vertices and 257 name ones,
 * whatever the traffic. The bounds: an API is usually a handful of addresses in one or two /24s
 * (8 leaves room for a load balancer's pool), and a workload with more than 16 /24s of outside
 * peers is reaching "the internet", which a reviewer approves as a range, not address by address.
 *
 * <p>Not thread-safe: the flow graph calls it under its lock. The counts are rebuilt from the
 * vertices restored after a restart ({@link #known}), so summarizing goes on where it was.
 */
public final class OutsideVertices {
  public static final int ADDRESSES_PER_BLOCK = 8;
  public static final int BLOCKS_PER_SOURCE = 16;
  public static final int WIDE_BLOCKS_PER_SOURCE = 16;
  public static final int NAMES_PER_SOURCE = 256;

  /** What one source has made so far. */
  private static final class Seen {
    /** /24 network -> its addresses with vertices of their own. */
    final Map<Integer, Set<Integer>> blocks = new HashMap<>();
    /** /24 networks whose further addresses go to the /24 vertex. */
    final Set<Integer> collapsed = new HashSet<>();
    /** /16 networks with a vertex. */
    final Set<Integer> wide = new HashSet<>();
    final Set<String> names = new HashSet<>();
  }

  private final Map<String, Seen> bySource = new HashMap<>();

  /**
   * The vertex for a flow from {@code source} to the world whose outside end is {@code outside}
   * ({@code FlowKey.outside}: {@code dns:NAME}, an address, or null), counted from now on.
   */
  public String vertexOf(String source, String outside) {
    if (outside == null) {
      return OutsideVertex.WORLD_TEXT;
    }
    Seen s = bySource.computeIfAbsent(source, k -> new Seen());
    if (outside.startsWith("dns:")) {
      String v = new OutsideVertex.Name(outside.substring(4)).text();
      if (s.names.contains(v) || s.names.size() < NAMES_PER_SOURCE) {
        s.names.add(v);
        return v;
      }
      return OutsideVertex.WORLD_TEXT;
    }
    int ip;
    try {
      ip = Cidr.parseIp(outside, outside);
    } catch (IllegalArgumentException e) {
      return OutsideVertex.WORLD_TEXT; // IPv6 (vetting refused malformed text before)
    }
    return address(s, ip);
  }

  private static String address(Seen s, int ip) {
    int block = new Cidr(ip, 24).address();
    Set<Integer> addrs = s.blocks.get(block);
    if (addrs != null && addrs.contains(ip)) {
      return Cidr.ipText(ip);
    }
    if (addrs != null || s.blocks.size() < BLOCKS_PER_SOURCE) {
      Set<Integer> in = s.blocks.computeIfAbsent(block, k -> new HashSet<>());
      if (!s.collapsed.contains(block) && in.size() < ADDRESSES_PER_BLOCK) {
        in.add(ip);
        return Cidr.ipText(ip);
      }
      s.collapsed.add(block);
      return new Cidr(block, 24).toString();
    }
    int wide = new Cidr(ip, 16).address();
    if (s.wide.contains(wide) || s.wide.size() < WIDE_BLOCKS_PER_SOURCE) {
      s.wide.add(wide);
      return new Cidr(wide, 16).toString();
    }
    return OutsideVertex.WORLD_TEXT;
  }

  /** A vertex the graph already has at the far end of an edge from {@code source} (restored): counted as made. */
  public void known(String source, String vertex) {
    OutsideVertex v = OutsideVertex.of(vertex).orElse(null);
    if (v == null || v instanceof OutsideVertex.World) {
      return;
    }
    Seen s = bySource.computeIfAbsent(source, k -> new Seen());
    if (v instanceof OutsideVertex.Name n) {
      if (!n.isPattern()) {
        s.names.add(n.text());
      }
      return;
    }
    Cidr c = ((OutsideVertex.Range) v).cidr();
    if (c.prefix() == 32) {
      s.blocks.computeIfAbsent(new Cidr(c.address(), 24).address(), k -> new HashSet<>()).add(c.address());
    } else if (c.prefix() == 24) {
      s.blocks.computeIfAbsent(c.address(), k -> new HashSet<>());
      s.collapsed.add(c.address());
    } else if (c.prefix() == 16) {
      s.wide.add(c.address());
    }
    // other ranges come from approvers, not from summarizing: they do not count
  }
}
