package dev.palisade.kernel.nfqueue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.kernel.netns.NetNs;
import dev.palisade.kernel.nfqueue.PacketQueue.Verdict;
import dev.palisade.testkit.KernelTest;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A queued UDP datagram reaches the handler whole, and only the handler's ACCEPT lets it through. */
@KernelTest
class NfQueueIT {
  private static final String A = "pal-t-dns22-nfq-a";
  private static final String B = "pal-t-dns22-nfq-b";

  @AfterEach
  void cleanup() {
    NetNs.delete(A);
    NetNs.delete(B);
  }

  @Test
  void theHandlerDecidesEachQueuedPacket() throws Exception {
    try (NetNs a = NetNs.create(A); NetNs b = NetNs.create(B)) {
      NetNs.vethPair(A, "pal-qa", B, "pal-qb");
      a.exec("ip", "addr", "add", "10.252.0.1/30", "dev", "pal-qa");
      b.exec("ip", "addr", "add", "10.252.0.2/30", "dev", "pal-qb");
      // this kernel has no nft queue expression: the xt NFQUEUE target, as the agent's hold uses it
      b.exec("iptables-nft", "-t", "mangle", "-A", "INPUT", "-p", "udp", "--dport", "9999", "-j", "NFQUEUE",
          "--queue-num", "7", "--queue-bypass");
      List<byte[]> seen = new CopyOnWriteArrayList<>();
      try (DatagramSocket server = b.call(() -> new DatagramSocket(new InetSocketAddress("10.252.0.2", 9999)));
          NfQueue q = b.call(() -> NfQueue.open(7, p -> {
            seen.add(p);
            return new String(p, 28, p.length - 28, StandardCharsets.US_ASCII).startsWith("drop")
                ? Verdict.DROP : Verdict.ACCEPT;
          }))) {
        server.setSoTimeout(1000);
        send(a, "drop me");
        send(a, "keep me");
        DatagramPacket in = new DatagramPacket(new byte[100], 100);
        server.receive(in);
        assertEquals("keep me", new String(in.getData(), 0, in.getLength(), StandardCharsets.US_ASCII));
        server.setSoTimeout(300);
        boolean more = true;
        try {
          server.receive(in);
        } catch (SocketTimeoutException e) {
          more = false;
        }
        assertTrue(!more, "the dropped datagram arrived");
        assertEquals(2, q.received());
        byte[] first = seen.get(0);
        assertEquals(4, (first[0] & 0xff) >> 4, "an IPv4 packet, header first");
        assertEquals(17, first[9], "UDP");
      }
    }
  }

  private static void send(NetNs a, String text) {
    a.run(() -> {
      try (DatagramSocket s = new DatagramSocket()) {
        byte[] b = text.getBytes(StandardCharsets.US_ASCII);
        s.send(new DatagramPacket(b, b.length, new InetSocketAddress("10.252.0.2", 9999)));
      } catch (java.io.IOException e) {
        throw new IllegalStateException(e);
      }
    });
  }
}
