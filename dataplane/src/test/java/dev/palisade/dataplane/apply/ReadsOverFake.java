package dev.palisade.dataplane.apply;

import dev.palisade.kernel.nft.FakeNftables;
import dev.palisade.kernel.nft.Nftables;
import dev.palisade.kernel.nft.TableChange;
import dev.palisade.kernel.nft.TableState;
import dev.palisade.kernel.nft.TableWatch;
import dev.palisade.kernel.nft.Transaction;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The fake kernel with reads of the table a test decides ({@link #table}): a listing that misses
 * elements, a dump that fails. Writes and the monitor go to {@link #fake} unchanged.
 */
public abstract class ReadsOverFake implements Nftables {
  public final FakeNftables fake = new FakeNftables();

  @Override
  public void run(Transaction tx) {
    fake.run(tx);
  }

  @Override
  public void check(Transaction tx) {
    fake.check(tx);
  }

  @Override
  public TableWatch watch(String family, String table, Consumer<TableChange> listener) {
    return fake.watch(family, table, listener);
  }

  @Override
  public abstract Optional<TableState> table(String family, String name);

  @Override
  public void close() {}
}
