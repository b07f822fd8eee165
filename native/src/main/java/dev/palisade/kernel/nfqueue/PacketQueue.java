package dev.palisade.kernel.nfqueue;

/**
 * A queue the kernel hands packets to (an NFQUEUE number) and waits on for a verdict. Each packet
 * reaches the {@link Handler} on the queue's own thread, one at a time; the packet stays in the
 * kernel until the handler's verdict is issued. {@link NfQueue} is the kernel's,
 * {@link FakePacketQueue} an in-memory one for tests.
 */
public interface PacketQueue extends AutoCloseable {

  /** What happens to a held packet. */
  enum Verdict {
    ACCEPT, DROP
  }

  /**
   * Decides one packet: {@code payload} is the whole IP packet (header first). Runs on the queue's
   * thread; a handler that throws gets {@link Verdict#ACCEPT} from the queue (the caller of a
   * queue decides in its rules what an unheld packet may do, never the handler's failure).
   */
  @FunctionalInterface
  interface Handler {
    Verdict onPacket(byte[] payload);
  }

  int queueNumber();

  /** Packets handed to the handler so far. */
  long received();

  /** Stops delivering; packets still queued get the kernel's fail-open treatment. */
  @Override
  void close();
}
