package dev.palisade.dataplane.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.palisade.kernel.nft.TableState;
import dev.palisade.kernel.nft.TableState.SetState;
import dev.palisade.kernel.nft.Transaction;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** A listing that misses elements (as the kernel's does while a hash set is resized) is not trusted alone. */
class TableReaderTest {
  /** Lists the first {@code short} reads with every other element of every set left out. */
  static final class Forgetful extends ReadsOverFake {
    int shortReads;
    int reads;

    @Override
    public Optional<TableState> table(String family, String name) {
      reads++;
      Optional<TableState> t = fake.table(family, name);
      if (t.isEmpty() || reads > shortReads) {
        return t;
      }
      TreeMap<String, SetState> sets = new TreeMap<>();
      t.get().sets().forEach((k, s) -> {
        TreeSet<String> some = new TreeSet<>();
        int i = 0;
        for (String e : s.elements()) {
          if (i++ % 2 == (reads % 2)) {
            some.add(e);
          }
        }
        sets.put(k, new SetState(s.name(), s.map(), s.type(), s.flags(), some));
      });
      return Optional.of(new TableState(family, name, t.get().chains(), sets));
    }
  }

  @Test
  void readsAgainAndUnitesWhileReadsDisagree() {
    Forgetful nft = new Forgetful();
    new RulesetApplier(nft).apply(RulesetAdoptionContract.SHAPES);
    nft.reads = 0;
    nft.shortReads = 2; // two halves: together they are the whole
    assertEquals(List.of(), new RulesetApplier(nft).verify(RulesetAdoptionContract.SHAPES));
    assertEquals(2, nft.reads, "two partial reads, united: the whole table, nothing differs, no third read");
  }

  @Test
  void aMatchingTableCostsOneRead() {
    Forgetful nft = new Forgetful();
    new RulesetApplier(nft).apply(RulesetAdoptionContract.SHAPES);
    nft.reads = 0;
    RulesetApplier restarted = new RulesetApplier(nft);
    restarted.apply(RulesetAdoptionContract.SHAPES);
    assertEquals(1, nft.reads);
    assertEquals(0, restarted.commits());
  }

  @Test
  void aRealDifferenceSurvivesTheRereads() {
    Forgetful nft = new Forgetful();
    new RulesetApplier(nft).apply(RulesetAdoptionContract.SHAPES);
    nft.run(new Transaction("inet", "palisade").delete(
        dev.palisade.kernel.nft.NftObject.Element.of("allow_exact", "10.244.0.11 . udp . 53")));
    nft.reads = 0;
    nft.shortReads = 1;
    assertEquals(List.of("set allow_exact: 1 element(s) missing, e.g. [10.244.0.11 . udp . 53]"),
        new RulesetApplier(nft).verify(RulesetAdoptionContract.SHAPES));
  }
}
