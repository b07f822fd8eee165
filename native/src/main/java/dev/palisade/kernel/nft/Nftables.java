package dev.palisade.kernel.nft;

import java.util.Optional;
import java.util.function.Consumer;

/**
 * nftables as Palisade uses it: apply a {@link Transaction} atomically, read a table back.
 * Implemented over libnftables ({@link LibNftables}) and in memory ({@link FakeNftables}); one
 * contract test suite runs against both.
 */
public interface Nftables extends AutoCloseable {
  /**
   * Applies every operation of the transaction in one kernel transaction, or none of them.
   *
   * @throws NftException the transaction's first invalid operation (nothing sent), or nft's
   *     refusal, with its message and offending line; the previous state is untouched
   */
  void run(Transaction tx);

  /** Checks the transaction as {@link #run} would, without applying it. */
  void check(Transaction tx);

  /** The table as it is now, or empty if it does not exist. */
  Optional<TableState> table(String family, String name);

  /**
   * Calls the listener after each committed batch that touched the table and was not committed
   * through this instance (another tool, another process, another {@code Nftables}), so the
   * caller can notice a deleted table, flushed chain or removed element and restore it. If events
   * may have been lost the listener gets a change with {@link TableChange#lost()} true: verify the
   * whole table then. Which thread calls the listener depends on the implementation; calls for
   * one watch never overlap.
   *
   * @throws NftException if the family or table name is invalid
   */
  TableWatch watch(String family, String table, Consumer<TableChange> listener);

  @Override
  void close();
}
