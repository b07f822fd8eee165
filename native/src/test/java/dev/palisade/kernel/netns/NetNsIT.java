package dev.palisade.kernel.netns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.testkit.KernelTest;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

@KernelTest
class NetNsIT {
  private static final String A = "pal-t-netns-a";
  private static final String B = "pal-t-netns-b";

  @AfterEach
  void cleanup() {
    NetNs.delete(A);
    NetNs.delete(B);
  }

  @Test
  void actionRunsInsideTheNamespace() throws Exception {
    try (NetNs ns = NetNs.create(A)) {
      String inside = ns.call(() -> Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString());
      String outside = Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString();
      assertNotEquals(outside, inside);
      assertTrue(NetNs.list("pal-t-netns").contains(A));
    }
    NetNs.delete(A);
    assertFalse(NetNs.exists(A));
  }

  @Test
  void socketsCreatedOnTheThreadTalkAcrossAVethPair() throws Exception {
    try (NetNs a = NetNs.create(A); NetNs b = NetNs.create(B)) {
      NetNs.vethPair(A, "pal-va", B, "pal-vb");
      a.exec("ip", "addr", "add", "10.250.0.1/30", "dev", "pal-va");
      b.exec("ip", "addr", "add", "10.250.0.2/30", "dev", "pal-vb");
      ServerSocket server = b.call(() -> new ServerSocket(7000, 5, InetAddress.getByName("10.250.0.2")));
      Thread echo = new Thread(() -> {
        try (server; Socket s = server.accept()) {
          s.getOutputStream().write(s.getInputStream().read());
        } catch (Exception ignored) {
          // the test's assertion reports the failure
        }
      });
      echo.start();
      int got = a.call(() -> {
        try (Socket s = new Socket()) {
          s.connect(new InetSocketAddress("10.250.0.2", 7000), 1000);
          OutputStream out = s.getOutputStream();
          out.write(42);
          InputStream in = s.getInputStream();
          return in.read();
        }
      });
      assertEquals(42, got);
      echo.join(2000);
    }
  }

  @Test
  void refusesNamesWithoutThePrefix() {
    assertThrows(IllegalArgumentException.class, () -> NetNs.create("default"));
    assertThrows(IllegalArgumentException.class, () -> NetNs.delete("x"));
  }
}
