package dev.palisade.kernel.nfqueue;

import java.util.ArrayList;
import java.util.List;

/**
 * An in-memory {@link PacketQueue}: a test offers packets and gets the handler's verdicts back,
 * on the calling thread, with the same treatment of a throwing handler as the kernel queue.
 */
public final class FakePacketQueue implements PacketQueue {
  private final int number;
  private final Handler handler;
  private final List<Verdict> verdicts = new ArrayList<>();
  private boolean closed;

  public FakePacketQueue(int number, Handler handler) {
    if (number < 0 || number > 65535) {
      throw new IllegalArgumentException("queue number must be 0..65535: " + number);
    }
    this.number = number;
    this.handler = handler;
  }

  /** Hands one packet to the handler as the kernel would and returns the verdict issued. */
  public synchronized Verdict offer(byte[] payload) {
    if (closed) {
      throw new IllegalStateException("queue " + number + " is closed");
    }
    Verdict v = NfQueue.decide(handler, payload);
    verdicts.add(v);
    return v;
  }

  public synchronized List<Verdict> verdicts() {
    return List.copyOf(verdicts);
  }

  @Override
  public int queueNumber() {
    return number;
  }

  @Override
  public synchronized long received() {
    return verdicts.size();
  }

  @Override
  public synchronized void close() {
    closed = true;
  }
}
