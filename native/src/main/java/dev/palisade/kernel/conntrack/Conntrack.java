package dev.palisade.kernel.conntrack;

import java.util.List;
import java.util.function.Consumer;

/**
 * The kernel's connection tracking table of one network namespace (IPv4): a stream of NEW and
 * DESTROY events, a dump of the current entries, and deletion by filter. {@link LibConntrack}
 * is the real one, {@link FakeConntrack} an in-memory stand-in with the same contract.
 */
public interface Conntrack extends AutoCloseable {

  /**
   * Streams NEW and DESTROY events to the sink until the returned handle is closed. Events can
   * be lost when the consumer falls behind (the kernel reports ENOBUFS): each time, the loss
   * counter ({@link #lostEventBursts()}) is incremented and then {@code onLoss} runs, so the
   * caller can resynchronise from {@link #dump()}. Sink and onLoss run on the subscription's
   * own thread; an exception they throw is logged and the stream goes on.
   */
  AutoCloseable subscribe(Consumer<ConntrackEvent> sink, Runnable onLoss);

  /** The current entries, each with type DUMP. */
  List<ConntrackEvent> dump();

  /** Deletes every entry the filter matches; returns how many were deleted. */
  int delete(ConntrackFilter filter);

  /** How many times events were lost (ENOBUFS) across all subscriptions. */
  long lostEventBursts();

  /** Ends the subscriptions and releases resources. */
  @Override
  void close();
}
