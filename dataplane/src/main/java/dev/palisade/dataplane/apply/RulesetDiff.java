package dev.palisade.dataplane.apply;

import dev.palisade.dataplane.render.DesiredRuleset;
import dev.palisade.dataplane.render.DesiredRuleset.Chain;
import dev.palisade.dataplane.render.DesiredRuleset.NamedSet;
import dev.palisade.dataplane.render.ElementSet;
import dev.palisade.kernel.nft.NftObject;
import dev.palisade.kernel.nft.NftObject.Element;
import dev.palisade.kernel.nft.NftObject.NftMap;
import dev.palisade.kernel.nft.NftObject.NftSet;
import dev.palisade.kernel.nft.NftObject.Table;
import dev.palisade.kernel.nft.Transaction;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Pure: the desired ruleset this agent last applied and the next one -> the transaction that
 * takes the kernel from one to the other (with no trusted previous state the change is planned
 * from the kernel's table instead: {@link AdoptionPlanner}). Every refilled chain's first rule
 * carries the {@link ChainDigest} of its rules, so a later adoption can tell it is current.
 *
 * <p>The order inside a transaction matters only for references (a map element may jump only to
 * a chain that exists, a rule may read only a set that exists); atomicity is the kernel's, so
 * flushing a chain and refilling it never leaves a window.
 *
 * <pre>
 *  1 declare new chains      2 sets: create, or remove then add changed elements
 *  3 refill changed chains   4 flush, then delete, chains and sets no longer wanted
 * </pre>
 *
 * <p>A large change is {@link #plan planned} as bounded commits: sets that no rule reads yet (a
 * fresh table, a new group) are created and filled in chunks first, where they change no
 * verdict; the last commit then does everything else at once, so no packet ever meets a
 * half-filled set and there is no window where an enforced pod is open or an allowed flow dropped.
 */
public final class RulesetDiff {
  private RulesetDiff() {}

  /** Only what changed from {@code previous} (what this agent last applied successfully). */
  public static Transaction incremental(DesiredRuleset previous, DesiredRuleset next) {
    return incremental(previous, next, Set.of());
  }

  private static Transaction incremental(DesiredRuleset previous, DesiredRuleset next, Set<String> staged) {
    Transaction tx = new Transaction(next.family(), next.table());
    for (Chain c : next.chains().values()) {
      if (!previous.chains().containsKey(c.name())) {
        tx.add(declare(c));
      }
    }
    for (NamedSet s : next.sets().values()) {
      NamedSet old = previous.sets().get(s.name());
      if (staged.contains(s.name())) {
        continue;
      }
      if (old == null) {
        tx.add(declare(s));
        addElements(tx, s, s.elements());
        continue;
      }
      List<String> gone = new ArrayList<>();
      List<String> added = new ArrayList<>();
      differences(old.elements(), s.elements(), gone, added);
      for (String e : gone) {
        tx.delete(Element.of(s.name(), key(s, e)));
      }
      addElements(tx, s, added);
    }
    for (Chain c : next.chains().values()) {
      Chain old = previous.chains().get(c.name());
      if (old == null || !Objects.equals(old.rules(), c.rules())) {
        refill(tx, c);
      }
    }
    removeStale(tx, next, previous.chains().keySet(), previous.sets().keySet());
    return tx;
  }

  /** Staging commits (possibly none) and the final commit that makes the change take effect. */
  public record Plan(List<Transaction> staging, Transaction commit) {
    public Plan {
      staging = List.copyOf(staging);
    }

    public List<Transaction> all() {
      List<Transaction> out = new ArrayList<>(staging);
      out.add(commit);
      return out;
    }
  }

  /**
   * The change from {@code previous} (what this agent last applied successfully) to {@code next},
   * with no commit holding more than about {@code maxElements} elements unless one set that rules
   * already read needs more (a live set is only ever changed in one commit: interval elements may
   * be re-cut, and a delete and its replacement must land together). With no trusted previous
   * state, the applier plans from the kernel's table instead ({@link AdoptionPlanner}).
   */
  public static Plan plan(DesiredRuleset previous, DesiredRuleset next, int maxElements) {
    if (maxElements < 1) {
      throw new IllegalArgumentException("maxElements must be positive: " + maxElements);
    }
    Objects.requireNonNull(previous, "previous: with no previous state, adopt the kernel's table");
    Set<String> existing = previous.sets().keySet();
    List<NamedSet> fresh = new ArrayList<>();
    long freshElements = 0;
    for (NamedSet s : next.sets().values()) {
      // verdict maps jump to chains that may not exist yet: they stay in the final commit
      if (!s.map() && !existing.contains(s.name())) {
        fresh.add(s);
        freshElements += s.elements().size();
      }
    }
    if (freshElements <= maxElements) {
      return new Plan(List.of(), incremental(previous, next));
    }
    List<Transaction> staging = new ArrayList<>();
    Transaction tx = new Transaction(next.family(), next.table()).add(Table.of());
    for (NamedSet s : fresh) {
      tx.add(declare(s));
    }
    int inTx = 0;
    for (NamedSet s : fresh) {
      for (String e : s.elements()) {
        if (inTx == maxElements) {
          staging.add(tx);
          tx = new Transaction(next.family(), next.table());
          inTx = 0;
        }
        addElements(tx, s, List.of(e));
        inTx++;
      }
    }
    staging.add(tx);
    Set<String> staged = new java.util.HashSet<>();
    fresh.forEach(s -> staged.add(s.name()));
    return new Plan(staging, incremental(previous, next, staged));
  }

  private static void removeStale(Transaction tx, DesiredRuleset next, Collection<String> chains, Collection<String> sets) {
    TreeSet<String> staleChains = new TreeSet<>(chains);
    staleChains.removeAll(next.chains().keySet());
    staleChains.forEach(c -> tx.flush(NftObject.Chain.regular(c))); // rules may jump between stale chains
    staleChains.forEach(c -> tx.delete(NftObject.Chain.regular(c)));
    TreeSet<String> staleSets = new TreeSet<>(sets);
    staleSets.removeAll(next.sets().keySet());
    staleSets.forEach(s -> tx.delete(NftSet.named(s)));
  }

  static NftObject.Chain declare(Chain c) {
    return c.base() == null ? NftObject.Chain.regular(c.name())
        : new NftObject.Chain(c.name(), java.util.Optional.of(c.base()), java.util.Optional.empty());
  }

  static NftObject declare(NamedSet s) {
    if (s.map()) {
      String[] kv = s.type().split(" : ", 2);
      return s.interval() ? NftMap.of(s.name(), kv[0], kv[1], "interval") : NftMap.of(s.name(), kv[0], kv[1]);
    }
    return NftSet.of(s.name(), s.type(), DesiredRuleset.flags(s).toArray(String[]::new));
  }

  /** Flush and refill in one transaction (atomic); the first rule carries the chain's {@link ChainDigest}. */
  private static void refill(Transaction tx, Chain c) {
    tx.flush(NftObject.Chain.regular(c.name()));
    ChainDigest.rules(c).forEach(tx::add);
  }

  /**
   * Elements only in {@code before} go to {@code gone}, only in {@code after} to {@code added}, in
   * order: an {@link ElementSet} made from {@code before} says so itself; else one walk over two
   * sets sorted alike, where copies and removeAll cost a tree lookup per
   * element (a set of 10k pods' addresses is compared on every sync).
   */
  static void differences(java.util.SortedSet<String> before, java.util.SortedSet<String> after, List<String> gone,
      List<String> added) {
    if (after instanceof ElementSet moved && moved.madeFrom(before)) {
      // made from exactly what was applied: the few elements it says moved are the difference
      gone.addAll(moved.removed());
      added.addAll(moved.added());
      return;
    }
    if (!Objects.equals(before.comparator(), after.comparator())) {
      throw new IllegalArgumentException("sets sorted differently cannot be walked together");
    }
    java.util.Comparator<? super String> order = before.comparator() == null
        ? java.util.Comparator.naturalOrder() : before.comparator();
    java.util.Iterator<String> b = before.iterator();
    java.util.Iterator<String> a = after.iterator();
    String x = b.hasNext() ? b.next() : null;
    String y = a.hasNext() ? a.next() : null;
    while (x != null || y != null) {
      // sets rendered from the same memo share their strings: equal by reference, no compare
      int c = x == null ? 1 : y == null ? -1 : x == y ? 0 : order.compare(x, y);
      if (c < 0) {
        gone.add(x);
        x = b.hasNext() ? b.next() : null;
      } else if (c > 0) {
        added.add(y);
        y = a.hasNext() ? a.next() : null;
      } else {
        x = b.hasNext() ? b.next() : null;
        y = a.hasNext() ? a.next() : null;
      }
    }
  }

  static void addElements(Transaction tx, NamedSet s, Collection<String> elements) {
    for (String e : elements) {
      if (s.map()) {
        String[] kv = e.split(" : ", 2);
        tx.add(Element.mapping(s.name(), kv[0], kv[1]));
      } else {
        tx.add(Element.of(s.name(), e));
      }
    }
  }

  private static String key(NamedSet s, String element) {
    return s.map() ? element.split(" : ", 2)[0] : element;
  }
}
