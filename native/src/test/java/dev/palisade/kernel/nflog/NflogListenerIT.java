package dev.palisade.kernel.nflog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.kernel.netns.NetNs;
import dev.palisade.testkit.KernelTest;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

@KernelTest
class NflogListenerIT {
  private static final String A = "pal-t-nflog-a";
  private static final String B = "pal-t-nflog-b";

  @AfterEach
  void cleanup() {
    NetNs.delete(A);
    NetNs.delete(B);
  }

  @Test
  void aDroppedSynArrivesWithPrefixAndTuple() throws Exception {
    try (NetNs a = NetNs.create(A); NetNs b = NetNs.create(B)) {
      NetNs.vethPair(A, "pal-la", B, "pal-lb");
      a.exec("ip", "addr", "add", "10.251.0.1/30", "dev", "pal-la");
      b.exec("ip", "addr", "add", "10.251.0.2/30", "dev", "pal-lb");
      Path rules = Files.createTempFile("pal-nflog", ".nft");
      Files.writeString(rules, """
          table inet paltest {
            chain input {
              type filter hook input priority filter; policy accept;
              tcp dport 7777 log prefix "pal:enforce:in:300" group 100 drop
            }
          }
          """);
      try {
        b.exec("nft", "-f", rules.toString());
      } finally {
        Files.deleteIfExists(rules);
      }
      List<NflogEvent> events = new CopyOnWriteArrayList<>();
      try (NflogListener l = b.call(() -> NflogListener.open(100, events::add))) {
        boolean connected = a.call(() -> {
          try (SocketChannel ch = SocketChannel.open()) {
            ch.socket().connect(new InetSocketAddress("10.251.0.2", 7777), 300);
            return true;
          } catch (java.io.IOException e) {
            return false;
          }
        });
        assertFalse(connected, "the rule drops the SYN");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (events.isEmpty() && System.nanoTime() < deadline) {
          Thread.sleep(20);
        }
        assertFalse(events.isEmpty(), "no NFLOG event arrived");
        NflogEvent e = events.get(0);
        assertEquals("pal:enforce:in:300", e.prefix());
        assertEquals("10.251.0.1", e.src());
        assertEquals("10.251.0.2", e.dst());
        assertEquals(6, e.protocol());
        assertEquals(7777, e.dstPort());
        assertTrue(e.srcPort() > 0);
        assertEquals(events.size(), l.received());
      }
    }
  }
}
