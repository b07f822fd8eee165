package dev.palisade.kernel.nft;

import dev.palisade.kernel.nft.NftObject.Chain;
import dev.palisade.kernel.nft.NftObject.Element;
import dev.palisade.kernel.nft.NftObject.NftMap;
import dev.palisade.kernel.nft.NftObject.NftSet;
import dev.palisade.kernel.nft.NftObject.Rule;
import dev.palisade.kernel.nft.NftObject.Table;
import dev.palisade.kernel.nft.TableState.ChainState;
import dev.palisade.kernel.nft.TableState.Hook;
import dev.palisade.kernel.nft.TableState.RuleState;
import dev.palisade.kernel.nft.TableState.SetState;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.pcollections.TreePMap;

/**
 * {@link Nftables} in memory, for unit tests and for running the agent without a kernel. It
 * applies a transaction to a copy of the table and commits only if every operation succeeds (set
 * elements are persistent maps, so the copy shares them instead of copying 10k elements per
 * transaction); it
 * checks what the kernel checks about objects (existence, create of an existing object, a set a
 * rule reads or a chain something jumps to cannot be deleted, references from rules and verdict
 * maps must resolve). It does not parse rule expressions: nft syntax errors only show on the
 * kernel, which the contract tests cover.
 */
public final class FakeNftables implements Nftables {
  private static final Pattern SET_REF = Pattern.compile("@([A-Za-z][A-Za-z0-9_]*)");
  private static final Pattern CHAIN_REF = Pattern.compile("\\b(?:jump|goto)\\s+([A-Za-z][A-Za-z0-9_]*)");
  private static final Pattern PRIORITY = Pattern.compile("([a-z]+)?\\s*(?:([+-])?\\s*(\\d+))?");

  private final Map<String, FakeTable> tables = new TreeMap<>();
  private final List<String> applied = new ArrayList<>();
  private final FakeWatchers watchers = new FakeWatchers();
  private long nextTableHandle = 1;
  private long generation;
  private NftException failNext;

  private static final class FakeTable {
    final String family;
    final String name;
    final long handle;
    long nextHandle = 1;
    final Map<String, FakeChain> chains = new LinkedHashMap<>();
    final Map<String, FakeSet> sets = new LinkedHashMap<>();

    FakeTable(String family, String name, long handle) {
      this.family = family;
      this.name = name;
      this.handle = handle;
    }

    FakeTable copy() {
      FakeTable t = new FakeTable(family, name, handle);
      t.nextHandle = nextHandle;
      chains.forEach((k, c) -> t.chains.put(k, new FakeChain(c.name, c.handle, c.hook, new ArrayList<>(c.rules))));
      // elements are persistent maps: the copy shares them, and a write makes a new map beside the
      // old one (a few nodes), so a transaction costs what it changes, not the table's size
      sets.forEach((k, s) -> t.sets.put(k, new FakeSet(s.name, s.map, s.type, s.flags, s.elements)));
      return t;
    }
  }

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

  /** {@inheritDoc} Watchers are not told: this is the watching instance's own commit. */
  @Override
  public synchronized void run(Transaction tx) {
    commit(tx);
    applied.add(tx.toString());
  }

  /**
   * Applies the transaction as another tool would (it is not listed in {@link #applied}) and then
   * calls the listeners watching its table synchronously, on the calling thread, after the
   * fake's lock is released (a listener may run transactions). Nothing is told if it fails.
   */
  public void runAsOther(Transaction tx) {
    long gen;
    synchronized (this) {
      gen = commit(tx);
    }
    if (!tx.isEmpty()) {
      watchers.notify(tx, gen);
    }
  }

  /** Applies all of the transaction or nothing; returns the new generation. */
  private long commit(Transaction tx) {
    FakeTable result = apply(tx);
    String key = key(tx.family(), tx.table());
    if (result == null) {
      tables.remove(key);
    } else {
      tables.put(key, result);
    }
    return ++generation;
  }

  /**
   * {@inheritDoc}
   *
   * <p>Only {@link #runAsOther} notifies, synchronously; the returned watch's close is immediate.
   */
  @Override
  public TableWatch watch(String family, String table, java.util.function.Consumer<TableChange> listener) {
    Transaction probe = new Transaction(family, table); // validates the names
    if (probe.error().isPresent()) {
      throw probe.error().get();
    }
    return watchers.add(family, table, listener);
  }

  @Override
  public synchronized void check(Transaction tx) {
    apply(tx);
  }

  /** Makes the next run fail as the kernel would, e.g. to test that a failed apply keeps the old state. */
  public synchronized void failNextRun(String message) {
    failNext = new NftException(NftException.Kind.OTHER, message, Optional.empty(), 0);
  }

  /** The text of every transaction applied, in order. */
  public synchronized List<String> applied() {
    return List.copyOf(applied);
  }

  private FakeTable apply(Transaction tx) {
    if (tx.error().isPresent()) {
      throw tx.error().get();
    }
    if (failNext != null) {
      NftException e = failNext;
      failNext = null;
      throw e;
    }
    FakeTable existing = tables.get(key(tx.family(), tx.table()));
    FakeTable t = existing == null ? null : existing.copy();
    long tableHandle = nextTableHandle;
    int[] lines = tx.lineOfOps();
    String[] text = tx.toString().split("\n", -1);
    List<Transaction.Op> ops = tx.ops();
    for (int i = 0; i < ops.size(); i++) {
      Transaction.Op op = ops.get(i);
      try {
        if (op.object() instanceof Table) {
          t = table(t, op.verb(), tx, tableHandle);
          if (t != null && t.handle == tableHandle) {
            tableHandle++;
          }
        } else {
          if (t == null) {
            throw new Refusal(NftException.Kind.NOT_FOUND, "No such file or directory (table " + tx.family() + " "
                + tx.table() + ")");
          }
          apply(t, op.verb(), op.object());
        }
      } catch (Refusal r) {
        int line = lines[i];
        throw new NftException(r.kind, "Error: Could not process rule: " + r.getMessage() + "\n" + text[line - 1],
            Optional.of(text[line - 1]), line);
      }
    }
    nextTableHandle = tableHandle;
    return t;
  }

  private static final class Refusal extends RuntimeException {
    final NftException.Kind kind;

    Refusal(NftException.Kind kind, String message) {
      super(message, null, false, false);
      this.kind = kind;
    }
  }

  private static Refusal notFound(String what) {
    return new Refusal(NftException.Kind.NOT_FOUND, "No such file or directory (" + what + ")");
  }

  private static Refusal exists(String what) {
    return new Refusal(NftException.Kind.ALREADY_EXISTS, "File exists (" + what + ")");
  }

  private static Refusal busy(String what) {
    return new Refusal(NftException.Kind.BUSY, "Device or resource busy (" + what + ")");
  }

  private FakeTable table(FakeTable t, Verb verb, Transaction tx, long newHandle) {
    switch (verb) {
      case ADD:
        return t != null ? t : new FakeTable(tx.family(), tx.table(), newHandle);
      case CREATE:
        if (t != null) {
          throw exists("table " + tx.table());
        }
        return new FakeTable(tx.family(), tx.table(), newHandle);
      case DELETE:
        if (t == null) {
          throw notFound("table " + tx.table());
        }
        return null;
      case DESTROY:
        return null;
      case FLUSH:
        if (t == null) {
          throw notFound("table " + tx.table());
        }
        t.chains.replaceAll((k, c) -> new FakeChain(c.name, c.handle, c.hook, new ArrayList<>()));
        return t;
      default:
        throw new IllegalStateException(verb + " table");
    }
  }

  private void apply(FakeTable t, Verb verb, NftObject o) {
    if (o instanceof Chain c) {
      chain(t, verb, c);
    } else if (o instanceof Rule r) {
      rule(t, verb, r);
    } else if (o instanceof NftSet s) {
      set(t, verb, s.name(), false, s.type(), s.flags());
    } else if (o instanceof NftMap m) {
      set(t, verb, m.name(), true, m.keyType() + " : " + m.valueType(), m.flags());
    } else if (o instanceof Element e) {
      element(t, verb, e);
    }
  }

  private void chain(FakeTable t, Verb verb, Chain c) {
    FakeChain have = t.chains.get(c.name());
    switch (verb) {
      case ADD, CREATE -> {
        if (have != null) {
          if (verb == Verb.CREATE) {
            throw exists("chain " + c.name());
          }
          if (c.base().isPresent() && have.hook.isPresent()) { // add on a base chain may change its policy
            Hook h = have.hook.get();
            t.chains.put(c.name(), new FakeChain(have.name, have.handle,
                Optional.of(new Hook(h.type(), h.hook(), h.priority(), c.base().get().policy())), have.rules));
          }
          return;
        }
        Optional<Hook> hook = c.base().map(b -> new Hook(b.type(), b.hook(), priority(b.priority()), b.policy()));
        t.chains.put(c.name(), new FakeChain(c.name(), t.nextHandle++, hook, new ArrayList<>()));
      }
      case DELETE, DESTROY -> {
        if (have == null) {
          if (verb == Verb.DESTROY) {
            return;
          }
          throw notFound("chain " + c.name());
        }
        if (chainReferenced(t, c.name())) {
          throw busy("chain " + c.name() + " is the target of a jump or goto");
        }
        t.chains.remove(c.name());
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

  private static boolean chainReferenced(FakeTable t, String chain) {
    for (FakeChain c : t.chains.values()) {
      if (c.name.equals(chain)) {
        continue;
      }
      for (FakeRule r : c.rules) {
        if (refersToChain(r.text, chain)) {
          return true;
        }
      }
    }
    for (FakeSet s : t.sets.values()) {
      for (String v : s.elements.values()) {
        if (refersToChain(v, chain)) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean refersToChain(String text, String chain) {
    Matcher m = CHAIN_REF.matcher(text);
    while (m.find()) {
      if (m.group(1).equals(chain)) {
        return true;
      }
    }
    return false;
  }

  private static void checkReferences(FakeTable t, String text) {
    Matcher s = SET_REF.matcher(text);
    while (s.find()) {
      if (!t.sets.containsKey(s.group(1))) {
        throw notFound("set @" + s.group(1));
      }
    }
    Matcher c = CHAIN_REF.matcher(text);
    while (c.find()) {
      if (!t.chains.containsKey(c.group(1))) {
        throw notFound("chain " + c.group(1));
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

  private void rule(FakeTable t, Verb verb, Rule r) {
    FakeChain c = t.chains.get(r.chain());
    if (c == null) {
      throw notFound("chain " + r.chain());
    }
    switch (verb) {
      case ADD -> {
        checkReferences(t, r.rule());
        FakeRule nr = new FakeRule(t.nextHandle++, r.rule(), r.comment());
        if (r.handle().isPresent()) {
          c.rules.add(positionOf(c, r.handle().get()) + 1, nr);
        } else {
          c.rules.add(nr);
        }
      }
      case INSERT -> {
        checkReferences(t, r.rule());
        FakeRule nr = new FakeRule(t.nextHandle++, r.rule(), r.comment());
        c.rules.add(r.handle().isPresent() ? positionOf(c, r.handle().get()) : 0, nr);
      }
      case REPLACE -> {
        int at = positionOf(c, r.handle().get());
        checkReferences(t, r.rule());
        c.rules.set(at, new FakeRule(r.handle().get(), r.rule(), r.comment()));
      }
      case DELETE -> c.rules.remove(positionOf(c, r.handle().get()));
      default -> throw new IllegalStateException(verb + " rule");
    }
  }

  private void set(FakeTable t, Verb verb, String name, boolean map, String type, List<String> flags) {
    FakeSet have = t.sets.get(name);
    String what = (map ? "map " : "set ") + name;
    switch (verb) {
      case ADD, CREATE -> {
        if (have != null) {
          if (verb == Verb.CREATE || !normalize(have.type).equals(normalize(type)) || have.map != map) {
            throw exists(what);
          }
          return;
        }
        t.sets.put(name, new FakeSet(name, map, normalize(type), List.copyOf(flags), TreePMap.empty()));
      }
      case DELETE, DESTROY -> {
        if (have == null) {
          if (verb == Verb.DESTROY) {
            return;
          }
          throw notFound(what);
        }
        for (FakeChain c : t.chains.values()) {
          for (FakeRule r : c.rules) {
            if (r.text.contains("@" + name) && SET_REF.matcher(r.text).results().anyMatch(m -> m.group(1).equals(name))) {
              throw busy(what + " is used by a rule in chain " + c.name);
            }
          }
        }
        t.sets.remove(name);
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

  private void element(FakeTable t, Verb verb, Element e) {
    FakeSet s = t.sets.get(e.setName());
    if (s == null) {
      throw notFound("set " + e.setName());
    }
    String key = normalize(e.key());
    String value = e.value().map(FakeNftables::normalize).orElse("");
    switch (verb) {
      case ADD, CREATE -> {
        if (s.map && value.isEmpty()) {
          throw new Refusal(NftException.Kind.SYNTAX, "map " + s.name + " needs key : value");
        }
        if (!s.map && !value.isEmpty()) {
          throw new Refusal(NftException.Kind.SYNTAX, "set " + s.name + " takes keys only");
        }
        if (!value.isEmpty()) {
          checkReferences(t, value);
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

  /**
   * The stored element with the same key as {@code text}, or null. As in the kernel, an element is
   * identified by its key alone: {@code K timeout 30s} and a later {@code delete element K} are the
   * same element.
   */
  private static String sameElement(FakeSet s, String text) {
    String id = elementKey(text);
    for (String k : s.elements.subMap(id, true, id + Character.MAX_VALUE, true).keySet()) {
      if (elementKey(k).equals(id)) {
        return k;
      }
    }
    return null;
  }

  private static String elementKey(String text) {
    return text.replaceFirst(" (timeout|expires|comment) .*$", "");
  }

  private static String normalize(String s) {
    return s.strip().replaceAll("\\s+", " ");
  }

  private static int priority(String text) {
    Matcher m = PRIORITY.matcher(text.strip());
    if (!m.matches()) {
      throw new Refusal(NftException.Kind.SYNTAX, "priority '" + text + "'");
    }
    int base = 0;
    if (m.group(1) != null) {
      Integer named = TableState.priorityNames().get(m.group(1));
      if (named == null) {
        throw new Refusal(NftException.Kind.SYNTAX, "unknown priority name '" + m.group(1) + "'");
      }
      base = named;
    }
    int offset = m.group(3) == null ? 0 : Integer.parseInt(m.group(3));
    return "-".equals(m.group(2)) ? base - offset : base + offset;
  }

  @Override
  public synchronized Optional<TableState> table(String family, String name) {
    FakeTable t = tables.get(key(family, name));
    if (t == null) {
      return Optional.empty();
    }
    TreeMap<String, ChainState> chains = new TreeMap<>();
    t.chains.forEach((k, c) -> chains.put(k, new ChainState(c.name, c.handle, c.hook,
        c.rules.stream().map(r -> new RuleState(r.handle, r.comment)).toList())));
    TreeMap<String, SetState> sets = new TreeMap<>();
    t.sets.forEach((k, s) -> {
      TreeSet<String> elements = new TreeSet<>();
      s.elements.forEach((key, v) -> elements.add(v.isEmpty() ? key : key + " : " + v));
      sets.put(k, new SetState(s.name, s.map, s.type, s.flags, elements));
    });
    return Optional.of(new TableState(family, name, chains, sets));
  }

  /** Every table as sorted text: chains and sets by name, rules in order, elements sorted. */
  public synchronized String dump() {
    StringBuilder sb = new StringBuilder();
    for (FakeTable t : tables.values()) {
      sb.append("table ").append(t.family).append(' ').append(t.name).append('\n');
      new TreeMap<>(t.chains).values().forEach(c -> {
        sb.append("  chain ").append(c.name);
        c.hook.ifPresent(h -> sb.append(" { type ").append(h.type()).append(" hook ").append(h.hook())
            .append(" priority ").append(h.priority()).append(" ; policy ").append(h.policy()).append(" ; }"));
        sb.append('\n');
        c.rules.forEach(r -> sb.append("    ").append(r.text)
            .append(r.comment.map(cm -> " comment \"" + cm + "\"").orElse("")).append('\n'));
      });
      new TreeMap<>(t.sets).values().forEach(s -> {
        sb.append("  ").append(s.map ? "map " : "set ").append(s.name).append(" { type ").append(s.type);
        if (!s.flags.isEmpty()) {
          sb.append(" ; flags ").append(String.join(",", s.flags));
        }
        sb.append(" }\n");
        s.elements.forEach((k, v) -> sb.append("    ").append(k).append(v.isEmpty() ? "" : " : " + v).append('\n'));
      });
    }
    return sb.toString();
  }

  private static String key(String family, String name) {
    return family + " " + name;
  }

  @Override
  public void close() {
    // nothing held
  }

  /** Tables currently held, as "family name". */
  public synchronized List<String> tableNames() {
    return Collections.unmodifiableList(new ArrayList<>(tables.keySet()));
  }
}
