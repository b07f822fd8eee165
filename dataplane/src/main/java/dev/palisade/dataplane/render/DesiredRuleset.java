package dev.palisade.dataplane.render;

import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;

/**
 * The complete nftables state Palisade wants in its table on one node, as plain values: chains
 * with their rule texts and sets/maps with their element texts, all sorted by name. The diff
 * against the previous desired state becomes the transaction; the whole of it is also what a
 * full resync writes.
 */
public record DesiredRuleset(String family, String table, SortedMap<String, Chain> chains, SortedMap<String, NamedSet> sets) {
  public DesiredRuleset {
    chains = Collections.unmodifiableSortedMap(new TreeMap<>(chains));
    sets = Collections.unmodifiableSortedMap(new TreeMap<>(sets));
  }

  /** A chain; {@code base} holds "type filter hook forward priority filter; policy accept;" for base chains. */
  public record Chain(String name, String base, List<String> rules) {
    public Chain {
      rules = List.copyOf(rules);
    }
  }

  /**
   * A set or map: {@code type} is the nft type text (e.g. "ipv4_addr : verdict"), elements as nft text.
   * Elements are copied, except a set that is already an unmodifiable view (what the renderer's
   * {@link ElementMemo} hands out, whose backing set nobody changes): copying 10k elements per set
   * on every sync cost more than the sync's real change, and a kept instance lets a diff skip an
   * unchanged set by identity. Whoever passes an unmodifiable view must never change what it shows.
   */
  public record NamedSet(String name, boolean map, String type, boolean interval, SortedSet<String> elements) {
    private static final Class<?> FROZEN = Collections.unmodifiableSortedSet(new java.util.TreeSet<>()).getClass();

    public NamedSet {
      if (elements.getClass() != FROZEN) {
        elements = Collections.unmodifiableSortedSet(new java.util.TreeSet<>(elements));
      }
    }
  }

  /** The whole ruleset as `nft -f` text (deterministic: for golden files and logs). */
  public String text() {
    StringBuilder sb = new StringBuilder();
    sb.append("table ").append(family).append(' ').append(table).append(" {\n");
    for (NamedSet s : sets.values()) {
      sb.append("  ").append(s.map() ? "map " : "set ").append(s.name()).append(" {\n");
      sb.append("    type ").append(s.type()).append(";\n");
      if (s.interval()) {
        sb.append("    flags interval;\n");
      }
      if (!s.elements().isEmpty()) {
        sb.append("    elements = {\n");
        for (String e : s.elements()) {
          sb.append("      ").append(e).append(",\n");
        }
        sb.append("    }\n");
      }
      sb.append("  }\n");
    }
    for (Chain c : chains.values()) {
      sb.append("  chain ").append(c.name()).append(" {\n");
      if (c.base() != null) {
        sb.append("    ").append(c.base()).append('\n');
      }
      for (String r : c.rules()) {
        sb.append("    ").append(r).append('\n');
      }
      sb.append("  }\n");
    }
    return sb.append("}\n").toString();
  }
}
