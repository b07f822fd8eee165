package dev.palisade.kernel.nft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.kernel.nft.NftObject.Chain;
import dev.palisade.kernel.nft.NftObject.Element;
import dev.palisade.kernel.nft.NftObject.Table;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The watch contract on the fake, plus how the fake describes and delivers changes. */
class FakeNftablesWatchTest extends NftablesWatchContract {
  private final FakeNftables fake = new FakeNftables();

  @Override
  Nftables nft() {
    return fake;
  }

  @Override
  void runAsOther(Transaction tx) {
    fake.runAsOther(tx);
  }

  @Test
  void describesTheOperationsAsWrittenAndCallsBackBeforeReturning() {
    fake.run(base());
    List<TableChange> heard = new ArrayList<>();
    fake.watch(FAMILY, TABLE, heard::add);
    fake.runAsOther(tx().delete(Element.of("pods", "10.0.0.7")).delete(Element.of("pods", "10.0.0.8"))
        .flush(Chain.regular("check")).add(Element.of("pods", "10.0.0.9")));
    assertEquals(List.of(new TableChange(FAMILY, TABLE, List.of("delete 2 elements from set pods", "flush chain check",
        "add element to set pods"), 2, 0, "other")), heard);
  }

  @Test
  void aFailedForeignTransactionTellsNobodyAndIsNotListedAsApplied() {
    fake.run(base());
    List<TableChange> heard = new ArrayList<>();
    fake.watch(FAMILY, TABLE, heard::add);
    assertThrows(NftException.class, () -> fake.runAsOther(tx().delete(Element.of("pods", "10.9.9.9"))));
    fake.runAsOther(tx().delete(Table.of()));
    assertEquals(1, heard.size());
    assertEquals(1, fake.applied().size(), "only the watcher's own run is listed: " + fake.applied());
    assertTrue(fake.table(FAMILY, TABLE).isEmpty());
  }

  @Test
  void aListenerMayRestoreTheTableFromItsCall() {
    fake.run(base());
    fake.watch(FAMILY, TABLE, c -> fake.run(base()));
    fake.runAsOther(tx().delete(Table.of()));
    assertEquals(java.util.Set.of("10.0.0.7", "10.0.0.8"),
        fake.table(FAMILY, TABLE).orElseThrow().set("pods").orElseThrow().elements());
  }
}
