package dev.palisade.kernel.nft;

/** A running {@link Nftables#watch}; closing it stops notifications (it never throws). */
public interface TableWatch extends AutoCloseable {
  /** Stops watching; once this returns the listener is not called again (unless it is stuck in a call). */
  @Override
  void close();
}
