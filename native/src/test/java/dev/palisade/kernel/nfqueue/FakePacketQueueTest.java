package dev.palisade.kernel.nfqueue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.palisade.kernel.nfqueue.PacketQueue.Verdict;
import java.util.List;
import org.junit.jupiter.api.Test;

class FakePacketQueueTest {
  @Test
  void theHandlersVerdictIsIssuedAndAThrowingHandlerAccepts() {
    FakePacketQueue q = new FakePacketQueue(7, p -> {
      if (p.length == 0) {
        throw new IllegalStateException("empty");
      }
      return p[0] == 1 ? Verdict.DROP : Verdict.ACCEPT;
    });
    assertEquals(Verdict.DROP, q.offer(new byte[] {1}));
    assertEquals(Verdict.ACCEPT, q.offer(new byte[] {2}));
    assertEquals(Verdict.ACCEPT, q.offer(new byte[0]));
    assertEquals(List.of(Verdict.DROP, Verdict.ACCEPT, Verdict.ACCEPT), q.verdicts());
    assertEquals(3, q.received());
    q.close();
    assertThrows(IllegalStateException.class, () -> q.offer(new byte[] {2}));
  }

  @Test
  void aQueueNumberOutOfRangeIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> new FakePacketQueue(70000, p -> Verdict.ACCEPT));
  }
}
