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

  /**
   * A chain; {@code base} is a base chain's type, hook, priority and policy (null: a regular
   * chain), kept as parts so that nothing reads back text the renderer wrote.
   */
  public record Chain(String name, dev.palisade.kernel.nft.NftObject.BaseHook base, List<String> rules) {
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
   * An {@link ElementSet} (immutable) is kept too, and tells the diff what moved since its predecessor.
   */
  public record NamedSet(String name, boolean map, String type, boolean interval, SortedSet<String> elements,
      boolean dynamic) {
    private static final Class<?> FROZEN = Collections.unmodifiableSortedSet(new java.util.TreeSet<>()).getClass();

    /** A set whose elements the sync owns. */
    public NamedSet(String name, boolean map, String type, boolean interval, SortedSet<String> elements) {
      this(name, map, type, interval, elements, false);
    }

    /**
     * A set with {@code flags timeout} whose elements someone else writes (the DNS hold) and the
     * kernel expires: the sync declares it and never adds, deletes or compares its elements.
     */
    public static NamedSet dynamic(String name, String type) {
      return new NamedSet(name, false, type, false, new java.util.TreeSet<>(), true);
    }

    public NamedSet {
      if (elements.getClass() != FROZEN && !(elements instanceof ElementSet)) {
        elements = Collections.unmodifiableSortedSet(new java.util.TreeSet<>(elements));
      }
    }
  }

  /** The set's nft flags: interval and/or timeout. */
  public static java.util.List<String> flags(NamedSet s) {
    java.util.List<String> f = new java.util.ArrayList<>();
    if (s.interval()) {
      f.add("interval");
    }
    if (s.dynamic()) {
      f.add("timeout");
    }
    return f;
  }

  /** The whole ruleset as `nft -f` text (deterministic: for golden files and logs). */
  public String text() {
    StringBuilder sb = new StringBuilder();
    sb.append("table ").append(family).append(' ').append(table).append(" {\n");
    for (NamedSet s : sets.values()) {
      sb.append("  ").append(s.map() ? "map " : "set ").append(s.name()).append(" {\n");
      sb.append("    type ").append(s.type()).append(";\n");
      if (s.interval() || s.dynamic()) {
        sb.append("    flags ").append(String.join(", ", flags(s))).append(";\n");
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
        sb.append("    ").append(baseText(c.base())).append('\n');
      }
      for (String r : c.rules()) {
        sb.append("    ").append(r).append('\n');
      }
      sb.append("  }\n");
    }
    return sb.append("}\n").toString();
  }

  /** "type filter hook forward priority filter; policy accept;", as the text dumps show a base chain. */
  public static String baseText(dev.palisade.kernel.nft.NftObject.BaseHook b) {
    return "type " + b.type() + " hook " + b.hook() + " priority " + b.priority() + "; policy " + b.policy() + ";";
  }
}
