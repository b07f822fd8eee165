package dev.palisade.dataplane.apply;

import dev.palisade.dataplane.apply.TableComparison.ElementChange;
import dev.palisade.dataplane.render.DesiredRuleset;
import dev.palisade.dataplane.render.DesiredRuleset.Chain;
import dev.palisade.dataplane.render.DesiredRuleset.NamedSet;
import dev.palisade.kernel.nft.NftObject;
import dev.palisade.kernel.nft.NftObject.Element;
import dev.palisade.kernel.nft.NftObject.NftMap;
import dev.palisade.kernel.nft.NftObject.NftSet;
import dev.palisade.kernel.nft.NftObject.Table;
import dev.palisade.kernel.nft.Transaction;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Pure: the commits that take the kernel's table, as it is found (after a restart, a failed
 * transaction or someone else's change), to the wanted ruleset, writing only what differs
 * ({@link TableComparison}): an unchanged table gives no commit at all, one deleted element gives
 * one commit adding it back.
 *
 * <p>Order, so that no intermediate kernel state opens anything: for every set, each commit
 * only adds wanted elements the kernel lacks or deletes elements it holds that are not wanted,
 * so every state between two commits holds at least (old ∩ new) and at most (old ∪ new) of it;
 * and the chains, which decide what the sets mean, change only in the final commit.
 * <pre>
 *  1 adds      declare missing sets (no rule reads them yet); add missing elements, chunks of at
 *              most maxElements elements, each chunk its own commit
 *  2 deletes   delete surplus elements, in chunks; in an interval set a surplus element that
 *              overlaps a missing one (the kernel refuses overlapping intervals) is deleted in
 *              the same commit that adds its replacement
 *  3 final     one commit: declare missing chains; recreate chains with the wrong hook and sets
 *              with the wrong type (deleted and declared again in this transaction, so no window);
 *              refill chains whose digest differs (flush chain + add rules, atomic); verdict map
 *              entries (they jump to chains); delete chains and sets nobody wants
 * </pre>
 * When all element operations fit in one commit they all go into the final one: a small repair is
 * one atomic transaction. A recreated set and the verdict maps are written whole in the final
 * commit, whatever their size (a set with the wrong type cannot be filled before rules read it).
 */
final class AdoptionPlanner {
  private AdoptionPlanner() {}

  static RulesetDiff.Plan plan(TableComparison diff, DesiredRuleset next, int maxElements) {
    if (maxElements < 1) {
      throw new IllegalArgumentException("maxElements must be positive: " + maxElements);
    }
    if (diff.isEmpty()) {
      return new RulesetDiff.Plan(List.of(), new Transaction(next.family(), next.table()));
    }
    List<Group> adds = new ArrayList<>();
    List<Group> deletes = new ArrayList<>();
    for (String name : diff.missingSets()) {
      NamedSet s = next.sets().get(name);
      if (!s.map()) {
        adds.add(new Group(0, tx -> tx.add(RulesetDiff.declare(s))));
        s.elements().forEach(e -> adds.add(new Group(1, tx -> tx.add(Element.of(s.name(), e)))));
      }
    }
    diff.elements().forEach((name, change) -> {
      NamedSet s = next.sets().get(name);
      if (!s.map()) {
        ElementGroups.split(s, change, adds, deletes);
      }
    });
    int elementOps = adds.stream().mapToInt(Group::size).sum() + deletes.stream().mapToInt(Group::size).sum();
    List<Transaction> commits = new ArrayList<>();
    Transaction last;
    if (elementOps <= maxElements) {
      last = table(next, diff);
      for (Group g : adds) {
        g.ops().accept(last);
      }
      for (Group g : deletes) {
        g.ops().accept(last);
      }
    } else {
      Packer p = new Packer(next, maxElements, commits);
      p.current = table(next, diff);
      adds.forEach(p::add);
      p.close();
      deletes.forEach(p::add);
      p.close();
      last = new Transaction(next.family(), next.table());
    }
    finalCommit(last, diff, next);
    return new RulesetDiff.Plan(commits, last);
  }

  private static Transaction table(DesiredRuleset next, TableComparison diff) {
    Transaction tx = new Transaction(next.family(), next.table());
    return diff.tableMissing() ? tx.add(Table.of()) : tx;
  }

  private static void finalCommit(Transaction tx, TableComparison diff, DesiredRuleset next) {
    for (String c : diff.missingChains()) {
      tx.add(RulesetDiff.declare(next.chains().get(c)));
    }
    // chains whose rules are rewritten: wrong digest, recreated, or reading a set that is recreated
    Set<String> refill = new LinkedHashSet<>(diff.changedChains());
    refill.addAll(diff.rehookedChains());
    for (Chain c : next.chains().values()) {
      for (String s : diff.retypedSets()) {
        if (reads(c, s)) {
          refill.add(c.name());
        }
      }
    }
    refill.forEach(c -> tx.flush(NftObject.Chain.regular(c)));
    diff.staleChains().forEach(c -> tx.flush(NftObject.Chain.regular(c))); // rules may jump between stale chains
    for (String c : diff.rehookedChains()) {
      tx.delete(NftObject.Chain.regular(c));
      tx.add(RulesetDiff.declare(next.chains().get(c)));
    }
    for (String name : diff.retypedSets()) {
      NamedSet s = next.sets().get(name);
      tx.delete(s.map() ? NftMap.named(name) : NftSet.named(name));
      tx.add(RulesetDiff.declare(s));
      RulesetDiff.addElements(tx, s, s.elements());
    }
    for (String name : diff.missingSets()) {
      NamedSet s = next.sets().get(name);
      if (s.map()) {
        tx.add(RulesetDiff.declare(s));
        RulesetDiff.addElements(tx, s, s.elements());
      }
    }
    diff.elements().forEach((name, change) -> {
      NamedSet s = next.sets().get(name);
      if (s.map()) { // a key whose verdict changed is deleted and added back in this same commit
        change.surplus().forEach(e -> tx.delete(Element.of(name, e.split(" : ", 2)[0])));
        RulesetDiff.addElements(tx, s, change.missing());
      }
    });
    for (String c : diff.missingChains()) {
      ChainDigest.rules(next.chains().get(c)).forEach(tx::add);
    }
    for (String c : refill) {
      ChainDigest.rules(next.chains().get(c)).forEach(tx::add);
    }
    diff.staleSets().forEach(s -> tx.delete(NftSet.named(s))); // `delete set` removes maps too
    diff.staleChains().forEach(c -> tx.delete(NftObject.Chain.regular(c)));
  }

  private static boolean reads(Chain c, String set) {
    for (String r : c.rules()) {
      int at = r.indexOf("@" + set);
      while (at >= 0) {
        int end = at + 1 + set.length();
        if (end == r.length() || !(Character.isLetterOrDigit(r.charAt(end)) || r.charAt(end) == '_')) {
          return true;
        }
        at = r.indexOf("@" + set, end);
      }
    }
    return false;
  }

  /** Operations that must land in one commit; {@code size} element operations. */
  record Group(int size, Consumer<Transaction> ops) {}

  /** Packs groups into commits of at most {@code max} element operations (a larger group gets one of its own). */
  private static final class Packer {
    private final DesiredRuleset next;
    private final int max;
    private final List<Transaction> out;
    Transaction current;
    private int inCurrent;

    Packer(DesiredRuleset next, int max, List<Transaction> out) {
      this.next = next;
      this.max = max;
      this.out = out;
    }

    void add(Group g) {
      if (current == null || (inCurrent > 0 && inCurrent + g.size() > max)) {
        close();
        current = new Transaction(next.family(), next.table());
      }
      g.ops().accept(current);
      inCurrent += g.size();
    }

    /** Ends the current commit: the next group starts a new one. */
    void close() {
      if (current != null && !current.isEmpty()) {
        out.add(current);
      }
      current = null;
      inCurrent = 0;
    }
  }
}
