package dev.palisade.dataplane.render;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Tests outside this package ask what the table a (fake) kernel holds would do with a NEW
 * connection: {@link FakeNftables#dump()} text is read back into a {@link DesiredRuleset} and
 * traced by {@link PacketTracer}. A table that is not there accepts everything (no hook).
 */
public final class KernelTrace {
  private KernelTrace() {}

  /** True if the table in {@code dump} (inet palisade) accepts src -> dst:port/proto as a new connection. */
  public static boolean accepts(String dump, String src, String dst, String proto, int port) {
    DesiredRuleset rs = read(dump);
    if (rs == null) {
      return true;
    }
    return new PacketTracer(rs).trace(src, dst, proto, port).verdict() == PacketTracer.Verdict.ACCEPT;
  }

  /** The inet palisade table of a FakeNftables dump, or null when there is none. */
  static DesiredRuleset read(String dump) {
    TreeMap<String, DesiredRuleset.Chain> chains = new TreeMap<>();
    TreeMap<String, DesiredRuleset.NamedSet> sets = new TreeMap<>();
    boolean inTable = false;
    boolean found = false;
    String chain = null;
    dev.palisade.kernel.nft.NftObject.BaseHook chainBase = null;
    List<String> rules = new ArrayList<>();
    String[] set = null; // name, kind, type, flags
    TreeSet<String> elements = new TreeSet<>();
    for (String line : (dump + "table end\n").split("\n")) {
      if (!line.startsWith(" ")) {
        inTable = line.equals("table " + RulesetRenderer.FAMILY + " " + RulesetRenderer.TABLE);
        found |= inTable;
      }
      boolean item = line.startsWith("  ") && !line.startsWith("    ");
      if (!line.startsWith("    ")) { // a new item (or table) ends the previous one
        if (chain != null) {
          chains.put(chain, new DesiredRuleset.Chain(chain, chainBase, rules));
        }
        if (set != null) {
          sets.put(set[0], new DesiredRuleset.NamedSet(set[0], set[1].equals("map"), set[2],
              set[3].contains("interval"), elements));
        }
        chain = null;
        set = null;
        rules = new ArrayList<>();
        elements = new TreeSet<>();
      }
      if (!inTable) {
        continue;
      }
      String t = line.strip();
      if (item && t.startsWith("chain ")) {
        int brace = t.indexOf(" {");
        chain = brace < 0 ? t.substring(6) : t.substring(6, brace);
        chainBase = brace < 0 ? null : baseHook(t.substring(brace + 2).strip());
      } else if (item && (t.startsWith("set ") || t.startsWith("map "))) {
        String kind = t.substring(0, 3);
        String name = t.substring(4, t.indexOf(" {"));
        String body = t.substring(t.indexOf("{ type ") + 7, t.lastIndexOf(" }"));
        String[] parts = body.split(" ; flags ");
        set = new String[] {name, kind, parts[0], parts.length > 1 ? parts[1] : ""};
      } else if (line.startsWith("    ")) {
        if (chain != null) {
          rules.add(t.replaceFirst(" comment \"[^\"]*\"$", ""));
        } else if (set != null) {
          elements.add(t);
        }
      }
    }
    return found ? new DesiredRuleset(RulesetRenderer.FAMILY, RulesetRenderer.TABLE, chains, sets) : null;
  }

  /** The fake's "type filter hook forward priority 0 ; policy accept ; }" as its parts (test code reads text). */
  private static dev.palisade.kernel.nft.NftObject.BaseHook baseHook(String text) {
    java.util.regex.Matcher m = java.util.regex.Pattern
        .compile("type (\\S+) hook (\\S+) priority (.+?) ; policy (\\S+) ;.*").matcher(text);
    if (!m.matches()) {
      throw new IllegalArgumentException("not a base chain: " + text);
    }
    return new dev.palisade.kernel.nft.NftObject.BaseHook(m.group(1), m.group(2), m.group(3), m.group(4));
  }
}
