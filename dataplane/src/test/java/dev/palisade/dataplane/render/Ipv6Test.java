package dev.palisade.dataplane.render;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class Ipv6Test {
  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "fd00:10:244::14,                         fd00:10:244::14",
      "FD00:0010:0244:0000:0000:0000:0000:0014, fd00:10:244::14",
      "2001:db8:0:0:1:0:0:1,                    2001:db8::1:0:0:1",   // the first of two equal runs
      "2001:db8:0:1:1:1:1:1,                    2001:db8:0:1:1:1:1:1", // one zero group stays
      "::,                                      ::",
      "::1,                                     ::1",
      "1::,                                     1::",
      "fe80::1:2,                               fe80::1:2",
      "64:ff9b::10.244.0.1,                     64:ff9b::af4:1",        // a dotted tail is two groups
      "::ffff:10.244.0.1,                       ::ffff:af4:1",
  })
  void canonicalTextIsRfc5952(String text, String canonical) {
    assertEquals(canonical, Ipv6.canonical(text));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "fd00", "10.0.0.1", "fd00:::1", "fd00::1::2", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7",
      "1::2:3:4:5:6:7:8", ":1::2", "1::2:", "fd00::12345", "fd00::g", "fd00::1%eth0", "[fd00::1]", " fd00::1",
      "fd00::1.2.3", "fd00::1.2.3.4:1", "fd00::256.0.0.1", "localhost:80", "fd00::\u0663"})
  void refusesWhatIsNotALiteralNamingIt(String bad) {
    var e = assertThrows(IllegalArgumentException.class, () -> Ipv6.canonical(bad), bad);
    assertEquals(true, e.getMessage().startsWith("bad IPv6 address '" + bad + "': "), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"::", "::1", "::10.0.0.1", "::ffff:10.0.0.1", "0:0:0:0:0:ffff:a00:1"})
  void aPodAddressIsNeverOneThatEmbedsIpv4OrIsLoopback(String bad) {
    var e = assertThrows(IllegalArgumentException.class, () -> Ipv6.podAddress(bad));
    assertEquals("not a pod's IPv6 address '" + bad + "': unspecified, loopback, IPv4-compatible or IPv4-mapped",
        e.getMessage());
  }

  /** Random addresses, written compressed or not: the same 16 bytes as Java's own literal parser. */
  @Test
  void agreesWithTheJdkOnRandomLiterals() throws Exception {
    Random rnd = new Random(6);
    for (int n = 0; n < 2000; n++) {
      int[] g = new int[8];
      for (int i = 0; i < 8; i++) {
        g[i] = rnd.nextInt(3) == 0 ? 0 : rnd.nextInt(rnd.nextBoolean() ? 16 : 65536);
      }
      g[0] |= 0x2000; // never ::/96 or ::ffff:0:0/96, which the JDK turns into IPv4
      String text = rnd.nextBoolean() ? Ipv6.format(g) : String.format("%x:%x:%x:%x:%x:%x:%x:%x",
          g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7]);
      byte[] jdk = InetAddress.getByName(text).getAddress(); // a literal: no resolver involved
      byte[] ours = new byte[16];
      int[] parsed = Ipv6.parse(text);
      for (int i = 0; i < 8; i++) {
        ours[2 * i] = (byte) (parsed[i] >> 8);
        ours[2 * i + 1] = (byte) parsed[i];
      }
      assertArrayEquals(jdk, ours, text);
      assertEquals(Ipv6.canonical(text), Ipv6.canonical(Ipv6.canonical(text)), text);
    }
  }
}
