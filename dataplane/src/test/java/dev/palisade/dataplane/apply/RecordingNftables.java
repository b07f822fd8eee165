package dev.palisade.dataplane.apply;

import dev.palisade.kernel.nft.NftObject.Element;
import dev.palisade.kernel.nft.Nftables;
import dev.palisade.kernel.nft.TableState;
import dev.palisade.kernel.nft.Transaction;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Test decorator: records every transaction run (its text, element operations and time) and lets
 * a test look at the table after each commit, to check intermediate states.
 */
final class RecordingNftables implements Nftables {
  record Commit(String text, int elementOps, long nanos) {}

  private final Nftables nft;
  private final List<Commit> commits = new ArrayList<>();
  private Consumer<TableState> afterEach = t -> {};
  private String family = "inet";
  private String table = "palisade";

  RecordingNftables(Nftables nft) {
    this.nft = nft;
  }

  /** Called with the table after every successful commit. */
  RecordingNftables afterEachCommit(Consumer<TableState> check) {
    this.afterEach = check;
    return this;
  }

  List<Commit> commits() {
    return List.copyOf(commits);
  }

  void clear() {
    commits.clear();
  }

  @Override
  public void run(Transaction tx) {
    long t0 = System.nanoTime();
    nft.run(tx);
    long took = System.nanoTime() - t0;
    int elements = (int) tx.ops().stream().filter(op -> op.object() instanceof Element).count();
    commits.add(new Commit(tx.toString(), elements, took));
    family = tx.family();
    table = tx.table();
    afterEach.accept(nft.table(family, table).orElse(null));
  }

  @Override
  public void check(Transaction tx) {
    nft.check(tx);
  }

  @Override
  public dev.palisade.kernel.nft.TableWatch watch(String family, String table,
      java.util.function.Consumer<dev.palisade.kernel.nft.TableChange> listener) {
    return nft.watch(family, table, listener);
  }

  @Override
  public Optional<TableState> table(String family, String name) {
    return nft.table(family, name);
  }

  @Override
  public void close() {
    // the wrapped instance belongs to the test
  }
}
