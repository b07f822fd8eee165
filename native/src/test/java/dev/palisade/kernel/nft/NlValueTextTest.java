package dev.palisade.kernel.nft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.kernel.nft.NlSetShape.Part;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Key bytes to nft's text, and set headers this reader refuses (the kernel side is NetlinkReaderContractIT). */
class NlValueTextTest {
  private static final Part V4 = new Part(NlSetShape.Type.IPV4_ADDR, 0);
  private static final Part V6 = new Part(NlSetShape.Type.IPV6_ADDR, 0);
  private static final Part PORT = new Part(NlSetShape.Type.INET_SERVICE, 0);

  @ParameterizedTest
  @CsvSource({"::, ::", "::1, ::1", "::ffff:1.2.3.4, ::ffff:1.2.3.4", "::1.2.3.4, ::1.2.3.4",
      "1:0:0:1:0:0:0:1, 1:0:0:1::1", "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1", "fe80::, fe80::",
      "FD00:10:244:0:0:0:0:1E, fd00:10:244::1e", "1:2:3:4:5:6:0:8, 1:2:3:4:5:6:0:8", "0:0:0:0:0:1:0:0, ::1:0:0"})
  void ipv6AsGlibcWritesIt(String in, String want) throws Exception {
    StringBuilder sb = new StringBuilder();
    byte[] a = InetAddress.getByName(in).getAddress(); // Java gives ::ffff:a.b.c.d as 4 bytes
    NlValueText.ipv6(sb, a.length == 16 ? a : mapped(a), 0);
    assertEquals(want, sb.toString());
  }

  private static byte[] mapped(byte[] v4) {
    byte[] b = new byte[16];
    b[10] = (byte) 0xff;
    b[11] = (byte) 0xff;
    System.arraycopy(v4, 0, b, 12, 4);
    return b;
  }

  @ParameterizedTest
  @CsvSource({"10.0.0.1, 10.0.0.1, 10.0.0.1", "10.1.0.0, 10.1.0.255, 10.1.0.0/24", "0.0.0.0, 255.255.255.255, 0.0.0.0/0",
      "10.0.0.1, 10.0.0.9, 10.0.0.1-10.0.0.9", "10.0.0.0, 10.0.0.2, 10.0.0.0-10.0.0.2"})
  void anAddressRangeIsAValueAPrefixOrARange(String low, String high, String want) throws Exception {
    StringBuilder sb = new StringBuilder();
    NlValueText.range(sb, V4, InetAddress.getByName(low).getAddress(), 0, InetAddress.getByName(high).getAddress(), 0);
    assertEquals(want, sb.toString());
  }

  @Test
  void aPortRangeIsNeverAPrefix() {
    StringBuilder sb = new StringBuilder();
    NlValueText.range(sb, PORT, new byte[] {4, 0}, 0, new byte[] {7, (byte) 0xff}, 0);
    assertEquals("1024-2047", sb.toString());
  }

  @Test
  void aShapeTheReaderDoesNotKnowIsRefusedByName() {
    // ether_addr (type id 9), a dynamic set (flag 0x20), a map to data: none is ours
    assertTrue(assertThrows(IllegalStateException.class, () -> NlSetShape.of("macs", 0, 9, 6, 0))
        .getMessage().contains("macs"));
    assertTrue(assertThrows(IllegalStateException.class, () -> NlSetShape.of("meter", 0x20, 7, 4, 0))
        .getMessage().contains("meter"));
    assertThrows(IllegalStateException.class, () -> NlSetShape.of("m", NlSetShape.FLAG_MAP, 7, 4, 7));
    // a key length that does not match its type
    assertThrows(IllegalStateException.class, () -> NlSetShape.of("short", 0, 7 << 12 | 12 << 6 | 13, 10, 0));
  }

  @Test
  void aConcatenationsTypeIsUnpackedFirstPartFirst() {
    NlSetShape s = NlSetShape.of("t", NlSetShape.FLAG_INTERVAL | NlSetShape.FLAG_CONCAT, 7 << 12 | 12 << 6 | 13, 12, 0);
    assertEquals("ipv4_addr . inet_proto . inet_service", s.typeText());
    assertEquals(8, s.parts().get(2).offset());
  }

  @Test
  void anIpv6PrefixIsWrittenAsOne() {
    StringBuilder sb = new StringBuilder();
    byte[] a = new byte[16];
    a[0] = (byte) 0xfd;
    byte[] b = a.clone();
    for (int i = 8; i < 16; i++) {
      b[i] = (byte) 0xff;
    }
    NlValueText.range(sb, V6, a, 0, b, 0);
    assertEquals("fd00::/64", sb.toString());
  }
}
