package dev.palisade.dataplane.apply;

import dev.palisade.dataplane.render.DesiredRuleset;
import dev.palisade.kernel.nft.Nftables;
import dev.palisade.kernel.nft.TableState;
import dev.palisade.kernel.nft.TableState.SetState;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Reads the kernel's table to compare it with the wanted ruleset, and reads it again while reads
 * disagree. Measured on kernel 6.18 (RulesetAdoptionIT): a listing taken right after large
 * commits into a hash set can miss elements (86,390 of 100,000 listed, the next listing all of
 * them): the kernel walks a hash table that is still being resized. Trusting such a read would add
 * elements that are there and, worse, leave surplus ones it did not see. So when a read shows
 * differences, the table is read again and the element sets are united (a walk misses elements,
 * it does not invent them), until a read shows nothing new or {@value #MAX_READS} reads were
 * taken. A table that matches costs one read.
 */
final class TableReader {
  static final int MAX_READS = 4;

  private TableReader() {}

  static TableComparison compare(Nftables nft, DesiredRuleset want) {
    Optional<TableState> seen = nft.table(want.family(), want.table());
    TableComparison diff = TableComparison.of(seen, want);
    for (int read = 1; read < MAX_READS && !diff.isEmpty(); read++) {
      Optional<TableState> again = nft.table(want.family(), want.table());
      Optional<TableState> united = unite(seen, again);
      if (elements(united) == elements(seen) && united.isPresent() == seen.isPresent()
          && united.map(t -> t.sets().keySet()).equals(seen.map(t -> t.sets().keySet()))) {
        break;
      }
      seen = united;
      diff = TableComparison.of(seen, want);
    }
    return diff;
  }

  /** The later read's chains; every set with the elements either read listed. */
  static Optional<TableState> unite(Optional<TableState> a, Optional<TableState> b) {
    if (a.isEmpty() || b.isEmpty()) {
      return b.isPresent() ? b : a;
    }
    TreeMap<String, SetState> sets = new TreeMap<>(a.get().sets());
    b.get().sets().forEach((name, s) -> sets.merge(name, s, (x, y) -> {
      TreeSet<String> all = new TreeSet<>(x.elements());
      all.addAll(y.elements());
      return new SetState(y.name(), y.map(), y.type(), y.flags(), all);
    }));
    return Optional.of(new TableState(b.get().family(), b.get().name(), b.get().chains(), sets));
  }

  private static long elements(Optional<TableState> t) {
    return t.map(x -> x.sets().values().stream().mapToLong(s -> s.elements().size()).sum()).orElse(0L);
  }
}
