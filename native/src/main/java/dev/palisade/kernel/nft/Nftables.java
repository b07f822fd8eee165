package dev.palisade.kernel.nft;

import java.util.Optional;

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

  @Override
  void close();
}
