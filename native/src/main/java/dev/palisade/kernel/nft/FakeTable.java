package dev.palisade.kernel.nft;

import static dev.palisade.kernel.nft.FakeNftText.normalize;
import static dev.palisade.kernel.nft.FakeRefusal.busy;
import static dev.palisade.kernel.nft.FakeRefusal.exists;
import static dev.palisade.kernel.nft.FakeRefusal.notFound;

import dev.palisade.kernel.nft.NftObject.Chain;
import dev.palisade.kernel.nft.NftObject.Element;
import dev.palisade.kernel.nft.NftObject.NftMap;
import dev.palisade.kernel.nft.NftObject.NftSet;
import dev.palisade.kernel.nft.NftObject.Rule;
import dev.palisade.kernel.nft.TableState.ChainState;
import dev.palisade.kernel.nft.TableState.Hook;
import dev.palisade.kernel.nft.TableState.RuleState;
import dev.palisade.kernel.nft.TableState.SetState;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import org.pcollections.TreePMap;

/**
 * One table of {@link FakeNftables}: its chains, rules and sets, and what an operation on one of
 * them does, with what the kernel checks about objects (existence, create of an existing object,
 * a set a rule reads or a chain something jumps to cannot be deleted, references from rules and
 * verdict maps must resolve). A refused operation throws {@link FakeRefusal} and may have changed
 * the table: the fake applies a transaction to a {@link #copy} and keeps it only if all of it
 * succeeds. Not thread-safe: the fake's lock guards it.
 */
final class FakeTable {
  final String family;
  final String name;
  final long handle;
  private long nextHandle = 1;
  private final Map<String, FakeChain> chains = new LinkedHashMap<>();
  private final Map<String, FakeSet> sets = new LinkedHashMap<>();

  private record FakeRule(long handle, String text, Optional<String> comment) {}

  private record FakeChain(String name, long handle, Optional<Hook> hook, List<FakeRule> rules) {}

  private static final class FakeSet {
    final String name;
    final boolean map;
    final String type;
    final List<String> flags;
    /** Replaced, never changed in place: the committed table may share it. */
    TreePMap<String, String> elements;

    FakeSet(String name, boolean map, String type, List<String> flags, TreePMap<String, String> elements) {
      this.name = name;
      this.map = map;
      this.type = type;
      this.flags = flags;
      this.elements = elements;
    }
  }

  FakeTable(String family, String name, long handle) {
    this.family = family;
    this.name = name;
    this.handle = handle;
  }

  /** A copy to apply a transaction to; it shares the sets' elements, which are never changed in place. */
  FakeTable copy() {
    FakeTable t = new FakeTable(family, name, handle);
    t.nextHandle = nextHandle;
    chains.forEach((k, c) -> t.chains.put(k, new FakeChain(c.name, c.handle, c.hook, new ArrayList<>(c.rules))));
    // elements are persistent maps: the copy shares them, and a write makes a new map beside the
    // old one (a few nodes), so a transaction costs what it changes, not the table's size
    sets.forEach((k, s) -> t.sets.put(k, new FakeSet(s.name, s.map, s.type, s.flags, s.elements)));
    return t;
  }

  /** {@code flush table}: every chain loses its rules; sets keep their elements, as in the kernel. */
  void flush() {
    chains.replaceAll((k, c) -> new FakeChain(c.name, c.handle, c.hook, new ArrayList<>()));
  }

  /** One operation on an object in this table (not on the table itself). */
  void apply(Verb verb, NftObject o) {
    if (o instanceof Chain c) {
      chain(verb, c);
    } else if (o instanceof Rule r) {
      rule(verb, r);
    } else if (o instanceof NftSet s) {
      set(verb, s.name(), false, s.type(), s.flags());
    } else if (o instanceof NftMap m) {
      set(verb, m.name(), true, m.keyType() + " : " + m.valueType(), m.flags());
    } else if (o instanceof Element e) {
      element(verb, e);
    }
  }

  private void chain(Verb verb, Chain c) {
    FakeChain have = chains.get(c.name());
    switch (verb) {
      case ADD, CREATE -> {
        if (have != null) {
          if (verb == Verb.CREATE) {
            throw exists("chain " + c.name());
          }
          if (c.base().isPresent() && have.hook.isPresent()) { // add on a base chain may change its policy
            Hook h = have.hook.get();
            chains.put(c.name(), new FakeChain(have.name, have.handle,
                Optional.of(new Hook(h.type(), h.hook(), h.priority(), c.base().get().policy())), have.rules));
          }
          return;
        }
        Optional<Hook> hook = c.base()
            .map(b -> new Hook(b.type(), b.hook(), FakeNftText.priority(b.priority()), b.policy()));
        chains.put(c.name(), new FakeChain(c.name(), nextHandle++, hook, new ArrayList<>()));
      }
      case DELETE, DESTROY -> {
        if (have == null) {
          if (verb == Verb.DESTROY) {
            return;
          }
          throw notFound("chain " + c.name());
        }
        if (chainReferenced(c.name())) {
          throw busy("chain " + c.name() + " is the target of a jump or goto");
        }
        chains.remove(c.name());
      }
      case FLUSH -> {
        if (have == null) {
          throw notFound("chain " + c.name());
        }
        have.rules.clear();
      }
      default -> throw new IllegalStateException(verb + " chain");
    }
  }

  /** Whether a rule of another chain, or a verdict map's element, jumps or goes to {@code chain}. */
  private boolean chainReferenced(String chain) {
    for (FakeChain c : chains.values()) {
      if (c.name.equals(chain)) {
        continue;
      }
      for (FakeRule r : c.rules) {
        if (FakeNftText.chainRefs(r.text).contains(chain)) {
          return true;
        }
      }
    }
    for (FakeSet s : sets.values()) {
      for (String v : s.elements.values()) {
        if (FakeNftText.chainRefs(v).contains(chain)) {
          return true;
        }
      }
    }
    return false;
  }

  /** Every set and chain {@code text} names must exist, as the kernel resolves them at commit. */
  private void checkReferences(String text) {
    for (String set : FakeNftText.setRefs(text)) {
      if (!sets.containsKey(set)) {
        throw notFound("set @" + set);
      }
    }
    for (String chain : FakeNftText.chainRefs(text)) {
      if (!chains.containsKey(chain)) {
        throw notFound("chain " + chain);
      }
    }
  }

  private static int positionOf(FakeChain c, long handle) {
    for (int i = 0; i < c.rules.size(); i++) {
      if (c.rules.get(i).handle == handle) {
        return i;
      }
    }
    throw notFound("rule handle " + handle + " in chain " + c.name);
  }

  private void rule(Verb verb, Rule r) {
    FakeChain c = chains.get(r.chain());
    if (c == null) {
      throw notFound("chain " + r.chain());
    }
    switch (verb) {
      case ADD -> {
        checkReferences(r.rule());
        FakeRule nr = new FakeRule(nextHandle++, r.rule(), r.comment());
        if (r.handle().isPresent()) {
          c.rules.add(positionOf(c, r.handle().get()) + 1, nr);
        } else {
          c.rules.add(nr);
        }
      }
      case INSERT -> {
        checkReferences(r.rule());
        FakeRule nr = new FakeRule(nextHandle++, r.rule(), r.comment());
        c.rules.add(r.handle().isPresent() ? positionOf(c, r.handle().get()) : 0, nr);
      }
      case REPLACE -> {
        int at = positionOf(c, r.handle().get());
        checkReferences(r.rule());
        c.rules.set(at, new FakeRule(r.handle().get(), r.rule(), r.comment()));
      }
      case DELETE -> c.rules.remove(positionOf(c, r.handle().get()));
      default -> throw new IllegalStateException(verb + " rule");
    }
  }

  private void set(Verb verb, String setName, boolean map, String type, List<String> flags) {
    FakeSet have = sets.get(setName);
    String what = (map ? "map " : "set ") + setName;
    switch (verb) {
      case ADD, CREATE -> {
        if (have != null) {
          if (verb == Verb.CREATE || !normalize(have.type).equals(normalize(type)) || have.map != map) {
            throw exists(what);
          }
          return;
        }
        sets.put(setName, new FakeSet(setName, map, normalize(type), List.copyOf(flags), TreePMap.empty()));
      }
      case DELETE, DESTROY -> {
        if (have == null) {
          if (verb == Verb.DESTROY) {
            return;
          }
          throw notFound(what);
        }
        for (FakeChain c : chains.values()) {
          for (FakeRule r : c.rules) {
            if (FakeNftText.readsSet(r.text, setName)) {
              throw busy(what + " is used by a rule in chain " + c.name);
            }
          }
        }
        sets.remove(setName);
      }
      case FLUSH -> {
        if (have == null) {
          throw notFound(what);
        }
        have.elements = TreePMap.empty();
      }
      default -> throw new IllegalStateException(verb + " set");
    }
  }

  private void element(Verb verb, Element e) {
    FakeSet s = sets.get(e.setName());
    if (s == null) {
      throw notFound("set " + e.setName());
    }
    String key = normalize(e.key());
    String value = e.value().map(FakeNftText::normalize).orElse("");
    switch (verb) {
      case ADD, CREATE -> {
        if (s.map && value.isEmpty()) {
          throw FakeRefusal.syntax("map " + s.name + " needs key : value");
        }
        if (!s.map && !value.isEmpty()) {
          throw FakeRefusal.syntax("set " + s.name + " takes keys only");
        }
        if (!value.isEmpty()) {
          checkReferences(value);
        }
        String same = sameElement(s, key);
        String had = same == null ? null : s.elements.get(same);
        if (had != null && (verb == Verb.CREATE || !had.equals(value))) {
          throw exists("element " + key + " in " + s.name);
        }
        if (same != null) {
          s.elements = s.elements.minus(same); // the kernel keeps one element per key; its timeout text may differ
        }
        s.elements = s.elements.plus(key, value);
      }
      case DELETE -> {
        String same = sameElement(s, key);
        if (same == null) {
          throw notFound("element " + key + " in " + s.name);
        }
        s.elements = s.elements.minus(same);
      }
      case DESTROY -> {
        String same = sameElement(s, key);
        if (same != null) {
          s.elements = s.elements.minus(same);
        }
      }
      default -> throw new IllegalStateException(verb + " element");
    }
  }

  /** The stored element with the same key as {@code text} ({@link FakeNftText#elementKey}), or null. */
  private static String sameElement(FakeSet s, String text) {
    String id = FakeNftText.elementKey(text);
    for (String k : s.elements.subMap(id, true, id + Character.MAX_VALUE, true).keySet()) {
      if (FakeNftText.elementKey(k).equals(id)) {
        return k;
      }
    }
    return null;
  }

  /** The table as {@link Nftables#table} reports it. */
  TableState state() {
    TreeMap<String, ChainState> chainStates = new TreeMap<>();
    chains.forEach((k, c) -> chainStates.put(k, new ChainState(c.name, c.handle, c.hook,
        c.rules.stream().map(r -> new RuleState(r.handle, r.comment)).toList())));
    TreeMap<String, SetState> setStates = new TreeMap<>();
    sets.forEach((k, s) -> {
      TreeSet<String> elements = new TreeSet<>();
      s.elements.forEach((key, v) -> elements.add(v.isEmpty() ? key : key + " : " + v));
      setStates.put(k, new SetState(s.name, s.map, s.type, s.flags, elements));
    });
    return new TableState(family, name, chainStates, setStates);
  }

  /** Appends the table as sorted text: chains and sets by name, rules in order, elements sorted. */
  void dump(StringBuilder sb) {
    sb.append("table ").append(family).append(' ').append(name).append('\n');
    new TreeMap<>(chains).values().forEach(c -> {
      sb.append("  chain ").append(c.name);
      c.hook.ifPresent(h -> sb.append(" { type ").append(h.type()).append(" hook ").append(h.hook())
          .append(" priority ").append(h.priority()).append(" ; policy ").append(h.policy()).append(" ; }"));
      sb.append('\n');
      c.rules.forEach(r -> sb.append("    ").append(r.text)
          .append(r.comment.map(cm -> " comment \"" + cm + "\"").orElse("")).append('\n'));
    });
    new TreeMap<>(sets).values().forEach(s -> {
      sb.append("  ").append(s.map ? "map " : "set ").append(s.name).append(" { type ").append(s.type);
      if (!s.flags.isEmpty()) {
        sb.append(" ; flags ").append(String.join(",", s.flags));
      }
      sb.append(" }\n");
      s.elements.forEach((k, v) -> sb.append("    ").append(k).append(v.isEmpty() ? "" : " : " + v).append('\n'));
    });
  }
}
