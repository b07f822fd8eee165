package dev.palisade.dataplane.podstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent's pod-start socket over a real Unix socket, with a gate the test decides. */
class PodStartSocketTest {
  private final List<String> announced = new CopyOnWriteArrayList<>();

  @Test
  void aCoveredPodIsAnsweredOkWithTheAgentsTime(@TempDir Path dir) {
    Path sock = dir.resolve("pod-start.sock");
    try (PodStartSocket s = PodStartSocket.open(sock, (ns, name, ip, timeout) -> {
      announced.add(ns + "/" + name + " " + ip + " " + timeout);
      sleep(20);
    }, Duration.ofSeconds(7))) {
      long nanos = PodStartClient.announce(sock, new PodStart("shop", "web-1", "10.244.0.9"), Duration.ofSeconds(5));
      assertEquals(List.of("shop/web-1 10.244.0.9 PT7S"), announced);
      assertTrue(nanos >= 20_000_000L, "the agent's own time: " + nanos);
    }
  }

  @Test
  void onlyItsOwnerMayConnectAndAStaleSocketFileIsReplaced(@TempDir Path dir) throws Exception {
    Path sock = dir.resolve("pod-start.sock");
    Files.writeString(sock, "left by a killed agent");
    try (PodStartSocket s = PodStartSocket.open(sock, (ns, name, ip, t) -> { }, Duration.ofSeconds(1))) {
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(sock)));
      PodStartClient.announce(sock, new PodStart("shop", "web-1", "10.244.0.9"), Duration.ofSeconds(5));
    }
    assertTrue(Files.notExists(sock), "closed: the socket file goes");
  }

  @Test
  void rulesNotInPlaceFailThePodStartWithTheAgentsReason(@TempDir Path dir) {
    Path sock = dir.resolve("pod-start.sock");
    try (PodStartSocket s = PodStartSocket.open(sock, (ns, name, ip, t) -> {
      throw new IllegalStateException("rules for pod shop/web-1 (10.244.0.9) not in place within PT1S");
    }, Duration.ofSeconds(1))) {
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> PodStartClient.announce(sock, new PodStart("shop", "web-1", "10.244.0.9"), Duration.ofSeconds(5)));
      assertTrue(e.getMessage().contains("not in place within PT1S"), e.getMessage());
    }
  }

  @Test
  void noAgentListeningFailsThePodStart(@TempDir Path dir) {
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> PodStartClient.announce(
        dir.resolve("none.sock"), new PodStart("shop", "web-1", "10.244.0.9"), Duration.ofSeconds(2)));
    assertTrue(e.getMessage().contains("no answer from the agent"), e.getMessage());
  }

  @Test
  void aMalformedOrEndlessRequestIsRefusedAndNothingIsAnnounced(@TempDir Path dir) throws Exception {
    Path sock = dir.resolve("pod-start.sock");
    try (PodStartSocket s = PodStartSocket.open(sock, (ns, name, ip, t) -> announced.add(name),
        Duration.ofSeconds(1))) {
      assertEquals("error ip: not an IPv4 address: '10.0.0.300'", raw(sock, "shop web 10.0.0.300\n"));
      assertEquals("error namespace: not a DNS-1123 label: 'SHOP'", raw(sock, "SHOP web 10.0.0.3\n"));
      // a line past the limit is cut off, never buffered without end
      assertEquals("", raw(sock, "shop " + "a".repeat(PodStartSocket.LINE_LIMIT) + " 10.0.0.3\n"));
      assertEquals(List.of(), announced);
    }
  }

  @Test
  void aClientThatNeverSendsItsLineIsCutOffAtItsDeadline(@TempDir Path dir) throws Exception {
    Path sock = dir.resolve("pod-start.sock");
    try (PodStartSocket s = PodStartSocket.open(sock, (ns, name, ip, t) -> announced.add(name),
        Duration.ofMillis(200), Duration.ofMillis(300));
        SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      c.connect(UnixDomainSocketAddress.of(sock));
      // nothing sent: the server closes its end within its deadline (0.2 s for the line + 0.3 s)
      assertEquals(-1, c.read(java.nio.ByteBuffer.allocate(16)));
      assertEquals(List.of(), announced);
    }
  }

  /** Sends bytes as they are and returns the answer line ("" if the agent closed without one). */
  private static String raw(Path sock, String bytes) throws Exception {
    try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      c.connect(UnixDomainSocketAddress.of(sock));
      c.write(java.nio.ByteBuffer.wrap(bytes.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
      try (LineChannel line = new LineChannel(c, Duration.ofSeconds(5))) {
        return line.readLine(4096);
      } catch (java.io.IOException e) {
        return "";
      }
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
